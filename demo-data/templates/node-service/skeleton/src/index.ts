import { createAppServer, serviceName } from './server.ts';

const port = Number(process.env.PORT ?? 8080);
const server = createAppServer();

server.listen(port, () => {
  console.log(`${serviceName} listening on port ${port}`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
});
