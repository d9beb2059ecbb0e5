// Prints the demo users the local identity provider offers, one line each.
import { loadUsers } from '../packages/dev-idp/src/users.mjs';

const users = loadUsers([
  new URL('../demo-data/org.yaml', import.meta.url).pathname,
]);
for (const user of users.values()) {
  const groups = user.groups.join(', ');
  console.log(`${user.id.padEnd(10)} ${user.name.padEnd(20)} ${groups}`);
}
