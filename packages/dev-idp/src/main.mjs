#!/usr/bin/env node
// Command line entry: node packages/dev-idp/src/main.mjs --users <catalog yaml> [--users ...]
//   [--port 7010] [--redirect-uri <url> ...] [--production-stand-in]
// Client id and secret come from the environment, as the portal's own config reads them.
// --production-stand-in is for tests of the production image only (see README.md).
import { parseArgs } from 'node:util';
import { loadUsers } from './users.mjs';
import { startDevIdp } from './server.mjs';

const { values } = parseArgs({
  options: {
    users: { type: 'string', multiple: true },
    port: { type: 'string', default: process.env.DEV_IDP_PORT ?? '7010' },
    'redirect-uri': { type: 'string', multiple: true },
    'production-stand-in': { type: 'boolean', default: false },
  },
});

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`[dev-idp] environment variable ${name} must be set`);
    process.exit(1);
  }
  return value;
}

const users = loadUsers(values.users ?? []);
if (users.size === 0) {
  console.error(
    '[dev-idp] no users with an email found; pass --users <catalog yaml with User entities>',
  );
  process.exit(1);
}
const port = Number(values.port);
try {
  const { issuer } = await startDevIdp({
    port,
    users,
    clientId: required('AUTH_OIDC_CLIENT_ID'),
    clientSecret: required('AUTH_OIDC_CLIENT_SECRET'),
    redirectUris: values['redirect-uri'] ?? [
      'http://localhost:7007/api/auth/oidc/handler/frame',
    ],
    productionStandIn: values['production-stand-in'],
  });
  console.log(
    `[dev-idp] OpenID Connect provider for ${users.size} users at ${issuer}${
      values['production-stand-in']
        ? ' (production stand-in for tests: not marked development-only)'
        : ''
    }`,
  );
} catch (error) {
  if (error.code === 'EADDRINUSE') {
    console.error(
      `[dev-idp] port ${port} is already in use; stop what runs there or set DEV_IDP_PORT`,
    );
  } else {
    console.error(`[dev-idp] failed to start: ${error.message}`);
  }
  process.exit(1);
}
