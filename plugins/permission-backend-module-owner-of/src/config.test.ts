import { ConfigReader } from '@backstage/config';
import { readOwnerOfSettings } from './config';

const read = (permission: object) =>
  readOwnerOfSettings(new ConfigReader({ permission }));

describe('readOwnerOfSettings', () => {
  it('has defaults that need no configuration', () => {
    expect(read({ enabled: true })).toEqual({
      adminRefs: [],
      annotationPrefixes: ['backstage.tanzu.vmware.com'],
      publicKinds: ['Template'],
      nestedGroups: true,
      membershipRefreshMs: 30_000,
      everyonePermissions: [],
      hideUnreadableRelations: true,
    });
  });

  it('normalizes admin refs, defaulting the namespace', () => {
    expect(
      read({
        adminRefs: [
          'user:default/Alice',
          'group:platform-team',
          'Group:Ops/SRE',
        ],
      }).adminRefs,
    ).toEqual([
      'user:default/alice',
      'group:default/platform-team',
      'group:ops/sre',
    ]);
  });

  it.each([
    ['platform-team', 1],
    ['component:default/x', 1],
    ['group:default/-bad', 1],
    ['user:Not_A_Namespace/alice', 1],
  ])('refuses the admin ref %p, naming it and its index', (bad, index) => {
    expect(() => read({ adminRefs: ['user:alice', bad] })).toThrow(
      `Invalid permission.adminRefs[${index}] '${bad}'`,
    );
  });

  it('refuses an empty admin ref, naming its index', () => {
    expect(() => read({ adminRefs: ['user:alice', ''] })).toThrow(
      /permission\.adminRefs\[1\]/,
    );
  });

  it('reads durations as strings or objects', () => {
    expect(
      read({ ownerOf: { membershipRefresh: '1s' } }).membershipRefreshMs,
    ).toBe(1000);
    expect(
      read({ ownerOf: { membershipRefresh: { minutes: 2 } } })
        .membershipRefreshMs,
    ).toBe(120_000);
    expect(
      read({ ownerOf: { membershipRefresh: '0s' } }).membershipRefreshMs,
    ).toBe(0);
    expect(() => read({ ownerOf: { membershipRefresh: 'soon' } })).toThrow(
      /membershipRefresh/,
    );
  });

  it('reads the other settings', () => {
    expect(
      read({
        ownerOf: {
          annotationPrefixes: [
            'backstage.tanzu.vmware.com',
            'access.harborline.example/',
          ],
          publicKinds: ['Template', 'Group'],
          nestedGroups: false,
          everyonePermissions: ['catalog.location.read'],
          hideUnreadableRelations: false,
        },
      }),
    ).toMatchObject({
      annotationPrefixes: [
        'backstage.tanzu.vmware.com',
        'access.harborline.example',
      ],
      publicKinds: ['Template', 'Group'],
      nestedGroups: false,
      everyonePermissions: ['catalog.location.read'],
      hideUnreadableRelations: false,
    });
  });

  it.each([
    ['catalog.entity.read', 'this one is decided per resource'],
    ['scaffolder.task.read', 'this one is decided per resource'],
    ['scaffolder.action.execute', 'this one is already allowed to everyone'],
    ['catalog.entities.read', 'this one is not in the table'],
  ])('refuses %p in everyonePermissions', (name, why) => {
    expect(() =>
      read({
        ownerOf: { everyonePermissions: ['catalog.location.read', name] },
      }),
    ).toThrow(
      `Invalid permission.ownerOf.everyonePermissions[1] '${name}': only permissions the owner-of permission table gives to admins belong here (${why}); see the policy's README`,
    );
  });

  it('accepts any admin-only permission of the table in everyonePermissions', () => {
    expect(
      read({
        ownerOf: {
          everyonePermissions: [
            'scaffolder.template.dry-run',
            'kubernetes.proxy',
          ],
        },
      }).everyonePermissions,
    ).toEqual(['scaffolder.template.dry-run', 'kubernetes.proxy']);
  });
});
