import { createServer, type Server } from 'node:http';

export const serviceName = '${{ values.name }}';

/** The service's HTTP server, not yet listening. */
export function createAppServer(): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/healthz') {
      send(200, { status: 'ok' });
    } else if (req.method === 'GET' && req.url === '/') {
      send(200, { service: serviceName });
    } else {
      send(404, { error: 'not found' });
    }
  });
}
