import { ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { freePort } from './freePort';

/**
 * Runs the local OpenID Connect provider (packages/dev-idp) as a real process on a free loopback
 * port with the demo users, and points the portal's OIDC config (env) at it. `redirectUris` are
 * the portal callbacks it accepts (default: the local portal's, on port 7007); a sign-in through
 * it needs the callback of the backend under test.
 *
 * The provider marks itself development-only, and the backend refuses to start in production
 * with it. Tests of the production image, where it stands in for a company IdP, pass
 * `productionStandIn: true` (its `--production-stand-in` switch), which leaves the mark out.
 */
export async function startDevIdpProcess(
  repoRoot: string,
  options: { redirectUris?: string[]; productionStandIn?: boolean } = {},
) {
  const port = await freePort();
  const metadataUrl = `http://127.0.0.1:${port}/.well-known/openid-configuration`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolvePath(repoRoot, 'packages/dev-idp/src/main.mjs'),
      '--users',
      resolvePath(repoRoot, 'demo-data/org.yaml'),
      '--port',
      String(port),
      ...(options.redirectUris ?? []).flatMap(uri => ['--redirect-uri', uri]),
      ...(options.productionStandIn ? ['--production-stand-in'] : []),
    ],
    { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(metadataUrl)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(
        `the local identity provider did not start on port ${port}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
  process.env.AUTH_OIDC_METADATA_URL = metadataUrl;
  return {
    metadataUrl,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}
