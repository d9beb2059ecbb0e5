import { readFileSync } from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  GROUPS_DN,
  PEOPLE_DN,
  READER_DN,
  READER_PASSWORD,
  orgToLdif,
  readOrgYaml,
} from './orgLdif';

const demoData = (file: string) =>
  resolvePackagePath(
    '@portico/plugin-catalog-backend-module-ldap-guarded',
    '../../demo-data',
    file,
  );
export const ORG_YAML = demoData('org.yaml');
export const ORG_LDIF = demoData('org.ldif');

/** The committed LDIF of the demo organization. */
export function harborlineLdif() {
  return readFileSync(ORG_LDIF, 'utf8');
}

/** The LDIF orgToLdif writes from org.yaml today, without the header. */
export function harborlineLdifFromYaml() {
  return orgToLdif(readOrgYaml(ORG_YAML));
}

/**
 * `catalog.providers.ldapOrg` for the Harborline directory: the mapping the
 * demo and the deployment guide use for OpenLDAP.
 */
export function harborlineProviderConfig(url: string): JsonObject {
  return {
    target: url,
    bind: { dn: READER_DN, secret: READER_PASSWORD },
    users: {
      dn: PEOPLE_DN,
      options: { filter: '(objectClass=inetOrgPerson)' },
      map: { displayName: 'displayName', email: 'mail' },
    },
    groups: {
      dn: GROUPS_DN,
      options: { filter: '(objectClass=groupOfNames)' },
      map: {
        type: 'businessCategory',
        displayName: 'displayName',
        email: 'mail',
      },
    },
  };
}
