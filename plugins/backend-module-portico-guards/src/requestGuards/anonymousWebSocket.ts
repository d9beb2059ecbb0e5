import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Handler } from './jsonBody';

/**
 * Refuses WebSocket upgrades of the signals plugin that carry no token, with a 401.
 *
 * The signals plugin (1.55) lets a connection without a token in as the guest user, who then
 * receives every broadcast signal; Portico gives unauthenticated callers nothing. A connection
 * with a token is left to the plugin, which verifies it and answers 401 to a bad one.
 *
 * Like the plugin, this can only reach the HTTP server's `upgrade` event from the first upgrade
 * request that arrives as a plain request; it then puts its check ahead of the plugin's listener
 * (which the plugin adds on that same request) and passes that first request on.
 */
export function anonymousWebSocketGuard(signalsBaseUrl: () => Promise<string>) {
  let basePath: string | undefined;
  let subscribed = false;

  const refuseAnonymous = (request: IncomingMessage, socket: Duplex): void => {
    if (
      basePath !== undefined &&
      request.url !== undefined &&
      // The plugin's own test for "this upgrade is mine".
      basePath.endsWith(request.url) &&
      !request.headers['sec-websocket-protocol']
    ) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
        () => socket.destroy(),
      );
    }
  };

  const guard: Handler = async (req, _res, next) => {
    const server = req.socket.server;
    if (
      !subscribed &&
      server &&
      req.headers.upgrade?.toLowerCase() === 'websocket'
    ) {
      subscribed = true;
      basePath = new URL(await signalsBaseUrl()).pathname;
      server.prependListener('upgrade', refuseAnonymous);
    }
    next();
  };
  return guard;
}
