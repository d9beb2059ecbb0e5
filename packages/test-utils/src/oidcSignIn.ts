/*
 * Signs a demo user in as the browser does, without a browser: the portal's OIDC start endpoint,
 * the local identity provider's login page (packages/dev-idp), the user picked there, and the
 * portal's callback frame, which answers the sign-in popup with the user's Backstage token.
 * Plain HTTP with cookies; every hop is a real request to the real servers.
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * A browser's cookie handling, reduced to what the sign-in needs. Cookies are kept per name and
 * path and, like a browser's, shared by every port of the same loopback host.
 */
class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map(s => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=');
        switch (key.toLowerCase()) {
          case 'path':
            path = attrValue || '/';
            break;
          case 'max-age':
            expired ||= Number(attrValue) <= 0;
            break;
          case 'expires':
            expired ||= Date.parse(attrValue) <= Date.now();
            break;
          default:
        }
      }
      const key = `${name}\0${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        c =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .sort((a, b) => b.path.length - a.path.length)
      .map(c => `${c.name}=${c.value}`)
      .join('; ');
  }
}

export interface SignedInUser {
  /** The Backstage user token, as the app sends it in `Authorization: Bearer`. */
  token: string;
  /** The user entity ref the portal resolved the sign-in to. */
  userEntityRef: string;
  /** A new token from the refresh cookie, as the app gets one when its token runs out. */
  refresh(): Promise<string>;
}

export interface SignInOptions {
  /** The portal backend, e.g. http://127.0.0.1:7007. */
  backendUrl: string;
  /** The demo user's id on the identity provider's login page, e.g. `bob`. */
  user: string;
  /** `auth.environment` of the backend. */
  environment: string;
  /** Bound for each request. */
  timeoutMs?: number;
}

const MAX_REDIRECTS = 10;

export async function signInThroughIdp(
  options: SignInOptions,
): Promise<SignedInUser> {
  const { backendUrl, user, environment } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const jar = new CookieJar();

  const request = async (url: URL, init: RequestInit = {}) => {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    jar.store(response);
    return response;
  };

  /** Follows redirects as a browser does, to the first page that is not one. */
  const follow = async (first: Response, from: URL) => {
    let response = first;
    let url = from;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      if (response.status < 300 || response.status >= 400) {
        return { response, url };
      }
      const location = response.headers.get('location');
      if (!location) throw new Error(`${response.status} without a location`);
      await response.body?.cancel();
      url = new URL(location, url);
      response = await request(url);
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${from}`);
  };

  const startUrl = new URL(`${backendUrl}/api/auth/oidc/start`);
  startUrl.searchParams.set('env', environment);
  startUrl.searchParams.set('scope', 'openid profile email');
  const loginPage = await follow(await request(startUrl), startUrl);
  const html = await loginPage.response.text();
  if (loginPage.response.status !== 200) {
    throw new Error(
      `the identity provider's login page answered ${loginPage.response.status}: ${html}`,
    );
  }
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!action || !html.includes(`value="${user}"`)) {
    throw new Error(`no login form offering ${user} at ${loginPage.url}`);
  }

  const loginUrl = new URL(action.replace(/&amp;/g, '&'), loginPage.url);
  const frame = await follow(
    await request(loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user }).toString(),
    }),
    loginUrl,
  );
  const frameHtml = await frame.response.text();
  if (!frame.url.pathname.endsWith('/api/auth/oidc/handler/frame')) {
    throw new Error(`sign-in ended at ${frame.url}, not the portal's callback`);
  }
  // The frame posts its answer to the app: decodeURIComponent('<the JSON>').
  const encoded = frameHtml.match(
    /authResponse = decodeURIComponent\('([^']*)'\)/,
  )?.[1];
  if (!encoded) throw new Error(`unexpected callback page: ${frameHtml}`);
  const answer = JSON.parse(decodeURIComponent(encoded));
  if (answer.type !== 'authorization_response' || answer.error) {
    throw new Error(`sign-in failed: ${JSON.stringify(answer.error)}`);
  }
  const identity = answer.response?.backstageIdentity;
  if (!identity?.token) {
    throw new Error(`sign-in gave no Backstage identity: ${encoded}`);
  }

  return {
    token: identity.token,
    userEntityRef: identity.identity?.userEntityRef,
    refresh: async () => {
      const refreshUrl = new URL(`${backendUrl}/api/auth/oidc/refresh`);
      refreshUrl.searchParams.set('env', environment);
      const response = await request(refreshUrl, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      const body = await response.json();
      if (response.status !== 200 || !body.backstageIdentity?.token) {
        throw new Error(
          `refresh failed with ${response.status}: ${JSON.stringify(body)}`,
        );
      }
      return body.backstageIdentity.token as string;
    },
  };
}
