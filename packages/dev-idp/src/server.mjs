// A real OpenID Connect provider (oidc-provider) for local use and tests. It knows one client (the
// portal) and the demo users; its login page lets a developer pick whom to sign in as. Never
// exposed beyond loopback: it asks for no password.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const escapeHtml = s =>
  String(s).replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]),
  );

function loginPage(uid, users, clientId) {
  const rows = [...users.values()]
    .map(
      u => `<li><button type="submit" name="user" value="${escapeHtml(u.id)}">
        <strong>${escapeHtml(u.name)}</strong><span>${escapeHtml(
        u.email,
      )}</span></button></li>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harborline SSO (local)</title>
<style>
 body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;padding:40px}
 main{max-width:560px;margin:auto;background:#fff;border-radius:8px;padding:24px 32px;box-shadow:0 1px 4px #0002}
 ul{list-style:none;padding:0} li{margin:6px 0}
 button{width:100%;text-align:left;padding:10px 14px;border:1px solid #ccd;border-radius:6px;background:#fff;cursor:pointer;display:flex;justify-content:space-between}
 button:hover{background:#eef3ff} span{color:#667}
</style></head><body><main>
<h1>Harborline SSO</h1>
<p>Local identity provider for <code>${escapeHtml(
    clientId,
  )}</code>. Choose who to sign in as.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login"><ul>
${rows}
</ul></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/**
 * The field of the discovery document that marks this provider as development-only. The backend
 * refuses to start in production (`auth.environment: production`) with an OIDC provider whose
 * metadata carries it.
 */
export const DEVELOPMENT_ONLY_MARKER = 'portico_development_only';

/**
 * Starts the provider. Resolves to `{ issuer, close }` once it listens.
 * `productionStandIn: true` leaves the development-only marker out of the discovery document, so
 * that tests of the production image can use this provider in place of a company IdP.
 * @param {{ host?: string, port: number, users: Map<string, {id,email,name}>,
 *   clientId: string, clientSecret: string, redirectUris: string[],
 *   productionStandIn?: boolean }} options
 */
export async function startDevIdp(options) {
  const host = options.host ?? '127.0.0.1';
  const issuer = `http://${host}:${options.port}`;
  const { users } = options;
  const signingKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  }).privateKey.export({
    format: 'jwk',
  });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'dev-idp' }] },
    discovery: options.productionStandIn
      ? {}
      : { [DEVELOPMENT_ONLY_MARKER]: true },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    findAccount(_ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: id,
        }),
      };
    },
    // The portal keeps sessions alive by refreshing; issue refresh tokens without offline_access.
    issueRefreshToken: async (_ctx, client) =>
      client.grantTypeAllowed('refresh_token'),
    features: { devInteractions: { enabled: false } },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    ttl: { Session: 8 * 3600, Grant: 8 * 3600 },
  });
  provider.on('server_error', (_ctx, err) =>
    console.error('[dev-idp] server error', err),
  );

  const callback = provider.callback();
  const server = createServer(async (req, res) => {
    const match = req.url?.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(details.uid, users, options.clientId));
        return;
      }
      const accountId = (await readForm(req)).get('user');
      if (!accountId || !users.has(accountId)) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`Unknown user '${accountId}'`);
        return;
      }
      // Sign-in and consent in one step: a local developer tool has nothing to ask.
      const grant = new provider.Grant({
        accountId,
        clientId: details.params.client_id,
      });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`Sign-in failed: ${error.message}`);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  return {
    issuer,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
