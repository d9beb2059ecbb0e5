// Reads the people the local identity provider can sign in as from catalog YAML files, so the
// demo organization has one source of truth: the User entities the portal itself ingests.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export function loadUsers(files) {
  const users = new Map();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const entity = doc.toJS();
      if (entity?.kind !== 'User') continue;
      const email = entity.spec?.profile?.email;
      if (!email) continue; // a user without email cannot be matched by the sign-in resolver
      users.set(entity.metadata.name, {
        id: entity.metadata.name,
        email,
        name: entity.spec.profile.displayName ?? entity.metadata.name,
        groups: entity.spec.memberOf ?? [],
      });
    }
  }
  return users;
}
