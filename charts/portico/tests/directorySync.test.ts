/*
 * The LDAP organization sync values: rendered into the generated app-config, with the bind
 * password only ever through a secretKeyRef, and refused when incomplete.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CI_DIR, Rendering, findOne, render, renderRaw } from './helm';

const FULLNAME = 'harbor-portico';
let withLdap: Rendering;
let defaults: Rendering;

function appConfig(rendering: Rendering): any {
  const configMap = findOne(
    rendering.manifests,
    'ConfigMap',
    `${FULLNAME}-app-config`,
  );
  return parseYaml(configMap.data['app-config.values.yaml']);
}

function backendEnv(rendering: Rendering): Record<string, any> {
  const deployment = findOne(rendering.manifests, 'Deployment', FULLNAME);
  const backend = deployment.spec.template.spec.containers.find(
    (c: any) => c.name === 'backend',
  );
  return Object.fromEntries((backend.env ?? []).map((e: any) => [e.name, e]));
}

beforeAll(async () => {
  [withLdap, defaults] = await Promise.all([
    render([path.join(CI_DIR, 'directory-sync-values.yaml')]),
    render(),
  ]);
});

describe('directory sync values', () => {
  it('render the LDAP provider and the removal limit into the app-config', () => {
    const catalog = appConfig(withLdap).catalog;
    expect(catalog.directorySync).toEqual({
      maxRemovedShare: 0.1,
      acceptLargeChanges: false,
    });
    expect(catalog.providers.ldapOrg).toEqual({
      'corp-ad': {
        target: 'ldaps://dc1.corp.example.com:636',
        bind: {
          dn: 'CN=portico-reader,OU=Service Accounts,DC=corp,DC=example,DC=com',
          secret: '${LDAP_BIND_PASSWORD}',
        },
        users: {
          dn: 'OU=People,DC=corp,DC=example,DC=com',
          options: {
            filter:
              '(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
          },
          map: {
            rdn: 'cn',
            name: 'sAMAccountName',
            displayName: 'displayName',
            email: 'mail',
          },
        },
        groups: {
          dn: 'OU=Groups,DC=corp,DC=example,DC=com',
          options: { filter: '(objectClass=group)' },
          map: {
            rdn: 'cn',
            name: 'cn',
            description: 'description',
            displayName: 'displayName',
            type: 'extensionAttribute1',
          },
        },
        schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
      },
    });
  });

  it('pass the bind password only by secretKeyRef', () => {
    expect(backendEnv(withLdap).LDAP_BIND_PASSWORD).toEqual({
      name: 'LDAP_BIND_PASSWORD',
      valueFrom: {
        secretKeyRef: { name: 'portico-ldap', key: 'bind-password' },
      },
    });
    expect(withLdap.raw).not.toMatch(/bind-password:/);
  });

  it('render nothing while disabled', () => {
    expect(appConfig(defaults).catalog?.providers).toBeUndefined();
    expect(backendEnv(defaults).LDAP_BIND_PASSWORD).toBeUndefined();
  });

  it('are refused when enabled without a URL, bind Secret or base DNs', async () => {
    await expect(
      renderRaw(
        [],
        [
          '--set',
          'directorySync.ldap.enabled=true',
          '--set',
          'directorySync.ldap.url=ldaps://ldap.example.com',
        ],
      ),
    ).rejects.toThrow(/directorySync/);
  });
});
