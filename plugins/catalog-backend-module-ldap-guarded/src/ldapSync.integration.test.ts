import {
  coreServices,
  createBackendModule,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { LdapProviderConfig } from '@backstage/plugin-catalog-backend-module-ldap';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  actorPreservingAuthFactory,
  eventually,
  freePort,
  userHeader,
} from '@portico/test-utils';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import { DirectorySync } from './DirectorySync';
import {
  harborlineLdif,
  harborlineLdifFromYaml,
  harborlineProviderConfig,
} from './testUtils/harborlineDirectory';
import { GROUPS_DN, PEOPLE_DN, userDn } from './testUtils/orgLdif';
import { Slapd } from './testUtils/slapd';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const service = `Bearer ${mockCredentials.service.token()}`;

/** Components owned by synced groups, fed straight to the catalog. */
class SoftwareProvider implements EntityProvider {
  connection?: EntityProviderConnection;
  getProviderName() {
    return 'test-software';
  }
  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }
  async add(entities: Entity[]) {
    await this.connection!.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity: {
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              'backstage.io/managed-by-location': 'url:https://test/x.yaml',
              'backstage.io/managed-by-origin-location':
                'url:https://test/x.yaml',
            },
          },
        },
        locationKey: 'test-software',
      })),
    });
  }
}

const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner },
});

it('the committed LDIF is the demo organization of org.yaml', () => {
  const committed = harborlineLdif().replace(/^(#.*\n)+\n/, '');
  expect(committed).toBe(harborlineLdifFromYaml());
});

it('the demo software location is the demo catalog without its organization', () => {
  const targets = (file: string) =>
    parseDocument(
      readFileSync(resolvePath(__dirname, '../../../demo-data', file), 'utf8'),
    ).toJS().spec.targets;
  expect(targets('software.yaml')).toEqual(
    targets('all.yaml').filter((t: string) => t !== './org.yaml'),
  );
});

describe.each(databases.eachSupportedId())(
  'LDAP organization sync on %s',
  databaseId => {
    let slapd: Slapd;
    let backend: TestBackend;
    let sync: DirectorySync;
    let adjust: (config: LdapProviderConfig) => LdapProviderConfig;
    const errors: string[] = [];
    const warnings: string[] = [];
    const software = new SoftwareProvider();
    const auditor = mockServices.auditor.mock();
    const http = () => request(backend.server);

    const run = () => sync.providers[0].run();

    const readNames = async (name: string, kind = 'component') => {
      const res = await http()
        .get(`/api/catalog/entities/by-query?filter=kind=${kind}&limit=500`)
        .set('authorization', userHeader(name));
      expect({
        status: res.status,
        body: res.status === 200 ? 'ok' : res.body,
      }).toEqual({
        status: 200,
        body: 'ok',
      });
      return res.body.items.map((e: Entity) => e.metadata.name).sort();
    };
    const catalogUsers = async () => {
      const res = await http()
        .get('/api/catalog/entities/by-query?filter=kind=user&limit=500')
        .set('authorization', service);
      return res.body.items.map((e: Entity) => e.metadata.name).sort();
    };

    beforeAll(async () => {
      slapd = await Slapd.start({
        ldif: harborlineLdif(),
        port: await freePort(),
      });
      const knex = await databases.init(databaseId);
      adjust = config => config;
      const syncModule = createBackendModule({
        pluginId: 'catalog',
        moduleId: 'ldap-guarded-under-test',
        register({ registerInit }) {
          registerInit({
            deps: {
              config: coreServices.rootConfig,
              logger: coreServices.logger,
              auth: coreServices.auth,
              httpAuth: coreServices.httpAuth,
              httpRouter: coreServices.httpRouter,
              processing: catalogProcessingExtensionPoint,
              catalog: catalogServiceRef,
            },
            async init(deps) {
              const recording: LoggerService = {
                info: (message, meta) => deps.logger.info(message, meta),
                warn: (message, meta) => {
                  warnings.push(message);
                  deps.logger.warn(message, meta);
                },
                debug: (message, meta) => deps.logger.debug(message, meta),
                error: (message, meta) => {
                  errors.push(message);
                  deps.logger.error(message, meta);
                },
                child: () => recording,
              };
              // The module's wiring without the scheduler: the test runs syncs
              sync = new DirectorySync({
                ...deps,
                logger: recording,
                auditor,
                knex,
                readProvider: config => adjust(config),
              });
              deps.processing.addEntityProvider(sync.providers);
              deps.processing.addEntityProvider(software);
              deps.httpRouter.use(sync.router(sync.membershipResolver()));
            },
          });
        },
      });
      backend = await startTestBackend({
        features: [
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                providers: {
                  ldapOrg: { harborline: harborlineProviderConfig(slapd.url) },
                },
              },
              permission: {
                enabled: true,
                adminRefs: [
                  'group:default/platform-team',
                  'group:default/platfrom-team',
                ],
                ownerOf: { membershipRefresh: { seconds: 0 } },
              },
            },
          }),
          mockServices.database.factory({ knex }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          actorPreservingAuthFactory,
          catalogPlugin,
          permissionPlugin,
          catalogModuleOwnerOf,
          permissionModuleOwnerOf,
          syncModule,
        ],
      });
      await software.add([
        {
          ...component('depot-sync', 'group:default/logistics-team'),
          metadata: {
            name: 'depot-sync',
            // A grant to a user who does not exist: reported, grants nothing
            annotations: {
              'backstage.tanzu.vmware.com/user.nobody': 'catalog.entity.read',
            },
          },
        },
        component('billing-service', 'group:default/payments-team'),
      ]);
    });

    afterAll(async () => {
      await backend?.stop();
      await slapd?.destroy();
    });

    it('applies the directory: users with email, nested groups as parent and child', async () => {
      const first = await run();
      expect(first).toMatchObject({ result: 'applied', users: 23, groups: 13 });
      const carol = await eventually(async () => {
        const res = await http()
          .get('/api/catalog/entities/by-name/user/default/carol')
          .set('authorization', service);
        expect(res.status).toBe(200);
        return res.body;
      });
      expect(carol.spec.profile.email).toBe('carol@harborline.example');
      expect(carol.spec.memberOf).toEqual(['group:default/routing-squad']);
      // Each entity is stitched on its own; carol's being listed does not mean her squad is.
      const squad = await eventually(async () => {
        const res = await http()
          .get('/api/catalog/entities/by-name/group/default/routing-squad')
          .set('authorization', service);
        expect(res.status).toBe(200);
        return res.body;
      });
      expect(squad.spec.parent).toBe('group:default/logistics-team');
      expect(squad.spec.type).toBe('team');
    });

    it('nested-group inheritance and admins through groups work as with YAML', async () => {
      // carol is in routing-squad, a child of logistics-team
      await eventually(async () =>
        expect(await readNames('carol')).toEqual(['depot-sync']),
      );
      expect(await readNames('bob')).toEqual(['billing-service']);
      // alice is an admin through platform-team
      expect(await readNames('alice')).toEqual([
        'billing-service',
        'depot-sync',
      ]);
    });

    it('applies a normal change of about 5 %', async () => {
      await slapd.modify(
        [
          `dn: ${userDn('victor')}`,
          'changetype: delete',
          '',
          `dn: ${userDn('xena')}`,
          'changetype: add',
          'objectClass: inetOrgPerson',
          'uid: xena',
          'cn: Xena Park',
          'sn: Park',
          'mail: xena@harborline.example',
          '',
          `dn: cn=routing-squad,${GROUPS_DN}`,
          'changetype: modify',
          'add: member',
          `member: ${userDn('xena')}`,
          '',
        ].join('\n'),
      );
      expect(await run()).toMatchObject({
        result: 'applied',
        users: 23,
        removedUsers: 1,
      });
      await eventually(async () => {
        const users = await catalogUsers();
        expect(users).toContain('xena');
        expect(users).not.toContain('victor');
      });
      // The new squad member inherits what logistics-team owns
      await eventually(async () =>
        expect(await readNames('xena')).toEqual(['depot-sync']),
      );
    });

    const expectRefused = async (reason: string, result = 'refused') => {
      const errorsBefore = errors.length;
      const auditsBefore = auditor.createEvent.mock.calls.length;
      const outcome = await run();
      expect(outcome).toMatchObject({ result, reason });
      // One error line naming the reason and the counts
      const logged = errors.slice(errorsBefore);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(`(${reason})`);
      expect(logged[0]).toMatch(/read \d+ users and \d+ groups/);
      expect(logged[0]).toContain(
        'the catalog keeps the last applied organization (23 users, 13 groups',
      );
      const audits = auditor.createEvent.mock.calls.slice(auditsBefore);
      expect(audits).toEqual([
        [
          expect.objectContaining({
            eventId: 'directory-sync',
            meta: expect.objectContaining({ result, reason }),
          }),
        ],
      ]);
      // The last good organization stays
      expect(await catalogUsers()).toHaveLength(23);
      expect(await readNames('carol')).toEqual(['depot-sync']);
    };

    it('refuses a search filter matching nothing', async () => {
      adjust = config => ({
        ...config,
        users: config.users.map(u => ({
          ...u,
          options: { ...u.options, filter: '(employeeType=nobody)' },
        })),
      });
      await expectRefused('no-users');
      adjust = config => config;
    });

    it('refuses a changed base DN', async () => {
      adjust = config => ({
        ...config,
        users: config.users.map(u => ({
          ...u,
          dn: PEOPLE_DN.replace('ou=people', 'ou=staff'),
        })),
      });
      await expectRefused('search-failed', 'failed');
      adjust = config => config;
    });

    it('refuses a wrong bind password', async () => {
      adjust = config => ({
        ...config,
        bind: { dn: config.bind!.dn, secret: 'rotated-elsewhere' },
      });
      await expectRefused('bind-failed', 'failed');
      adjust = config => config;
    });

    it('refuses when the directory server is stopped', async () => {
      await slapd.stop();
      try {
        await expectRefused('directory-unreachable', 'failed');
      } finally {
        await slapd.resume();
      }
    });

    it('refuses deleting half the users, until an admin accepts it once', async () => {
      const doomed = [
        'bob',
        'dave',
        'erin',
        'farah',
        'gustavo',
        'hiroshi',
        'ines',
        'jamal',
        'katarzyna',
        'liam',
        'mei',
        'nadia',
      ];
      await slapd.modify(
        doomed
          .map(name => `dn: ${userDn(name)}\nchangetype: delete\n`)
          .join('\n'),
      );
      await expectRefused('too-many-users-removed');

      const health = await http()
        .get('/api/catalog/org-health')
        .set('authorization', userHeader('alice'));
      expect(health.status).toBe(200);
      expect(health.body.providers[0]).toMatchObject({
        id: 'harborline',
        lastRun: { result: 'refused', reason: 'too-many-users-removed' },
        lastApplied: { users: 23, groups: 13 },
      });
      expect(
        health.body.providers[0].recentProblems.map((p: any) => p.reason),
      ).toEqual([
        'too-many-users-removed',
        'directory-unreachable',
        'bind-failed',
        'search-failed',
        'no-users',
      ]);
      // The typo in adminRefs names nobody
      expect(health.body.warnings).toEqual({
        missingAdminRefs: ['group:default/platfrom-team'],
        danglingGrants: [
          {
            entityRef: 'component:default/depot-sync',
            annotation: 'backstage.tanzu.vmware.com/user.nobody',
            subjectRef: 'user:default/nobody',
          },
        ],
      });
      // The same warnings are logged after each sync
      expect(warnings).toEqual(
        expect.arrayContaining([
          "permission.adminRefs entry 'group:default/platfrom-team' names no user or group in the catalog: it makes nobody an admin",
          "Grant annotation 'backstage.tanzu.vmware.com/user.nobody' on component:default/depot-sync names user:default/nobody, which is not in the catalog: it grants nothing",
        ]),
      );

      const outsider = await http()
        .post(
          '/api/catalog/org-health/providers/harborline/accept-large-change',
        )
        .set('authorization', userHeader('carol'));
      expect(outsider.status).toBe(403);
      expect(
        (
          await http()
            .get('/api/catalog/org-health')
            .set('authorization', userHeader('carol'))
        ).status,
      ).toBe(403);

      const accepted = await http()
        .post(
          '/api/catalog/org-health/providers/harborline/accept-large-change',
        )
        .set('authorization', userHeader('alice'));
      expect(accepted.status).toBe(202);
      await eventually(async () =>
        expect(await catalogUsers()).toHaveLength(11),
      );
      // bob left: his token now reads what a user without groups reads
      await eventually(async () => expect(await readNames('bob')).toEqual([]));
      // Accepted once: the next large removal is refused again
      await slapd.modify(
        ['oscar', 'priya', 'quentin']
          .map(name => `dn: ${userDn(name)}\nchangetype: delete\n`)
          .join('\n'),
      );
      expect(await run()).toMatchObject({
        result: 'refused',
        reason: 'too-many-users-removed',
      });
    });
  },
);
