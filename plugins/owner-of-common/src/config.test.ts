import { ConfigReader } from '@backstage/config';
import { readOwnerOfConfig } from './config';

describe('readOwnerOfConfig', () => {
  it('reads every owner-of key with its default', () => {
    expect(readOwnerOfConfig(new ConfigReader({}))).toEqual({
      adminRefs: [],
      annotationPrefixes: ['backstage.tanzu.vmware.com'],
      publicKinds: ['Template'],
      nestedGroups: true,
      membershipRefreshMs: 30_000,
      everyonePermissions: [],
      hideUnreadableRelations: true,
    });
  });

  it('reads the catalog module keys and trims names', () => {
    const config = readOwnerOfConfig(
      new ConfigReader({
        permission: {
          adminRefs: ['Group:platform-team'],
          ownerOf: {
            hideUnreadableRelations: false,
            everyonePermissions: [' catalog.location.read '],
          },
        },
      }),
    );
    expect(config.hideUnreadableRelations).toBe(false);
    expect(config.adminRefs).toEqual(['group:default/platform-team']);
    expect(config.everyonePermissions).toEqual(['catalog.location.read']);
  });
});
