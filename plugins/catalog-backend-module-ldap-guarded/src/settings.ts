import { Config } from '@backstage/config';
import { DirectorySyncSettings } from './sync/GuardedLdapOrgProvider';

const DEFAULT_MAX_REMOVED_SHARE = 0.2;

/**
 * Reads `catalog.directorySync`: how much one run may remove, and whether
 * an operator accepts large changes for good.
 */
export function readDirectorySyncSettings(
  config: Config,
): DirectorySyncSettings {
  const sync = config.getOptionalConfig('catalog.directorySync');
  const maxRemovedShare =
    sync?.getOptionalNumber('maxRemovedShare') ?? DEFAULT_MAX_REMOVED_SHARE;
  if (
    !Number.isFinite(maxRemovedShare) ||
    maxRemovedShare < 0 ||
    maxRemovedShare > 1
  ) {
    throw new Error(
      `Invalid catalog.directorySync.maxRemovedShare '${maxRemovedShare}': expected a share between 0 and 1, e.g. 0.2 for 20 %`,
    );
  }
  return {
    maxRemovedShare,
    acceptLargeChanges: sync?.getOptionalBoolean('acceptLargeChanges') ?? false,
  };
}
