import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * Asks to open a WebSocket at `path`, with `token` where the signals plugin reads it (the
 * Sec-WebSocket-Protocol header, as browsers cannot set Authorization on WebSockets). Resolves
 * with the status: 101 when the connection is accepted.
 */
export function webSocketStatus(
  baseUrl: string,
  path: string,
  token?: string,
  timeoutMs = 10_000,
) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(token ? { 'sec-websocket-protocol': token } : {}),
      },
      timeout: timeoutMs,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode!);
    });
    req.on('response', res => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Backstage's signals plugin starts listening for WebSocket upgrades when a first upgrade
 * request reaches its router as a plain request; that one is never answered. Sends it, and
 * gives up on its answer after 2 s.
 *
 * An upstream workaround: see the table in
 * plugins/catalog-backend-module-upstream-workarounds/README.md for when it is deleted.
 */
export async function primeWebSocketUpgrades(baseUrl: string, path: string) {
  await webSocketStatus(baseUrl, path, undefined, 2000).catch(() => undefined);
}
