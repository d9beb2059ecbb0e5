import { Config } from '@backstage/config';
import {
  OwnerOfConfig,
  readOwnerOfConfig,
} from '@portico/plugin-owner-of-common';
import { permissionTableEntry } from './policy/permissionTable';

/**
 * The owner-of policy's settings: owner-of-common's {@link OwnerOfConfig}, with the
 * everyone-permissions checked against the policy's permission table.
 *
 * @public
 */
export type OwnerOfSettings = OwnerOfConfig;

/**
 * Reads the settings with owner-of-common's reader and validates them. Throws, naming the
 * offending entry and its index, when an admin ref or an everyone-permission is malformed, so
 * that a misconfigured backend does not start.
 *
 * @public
 */
export function readOwnerOfSettings(config: Config): OwnerOfSettings {
  const settings = readOwnerOfConfig(config);
  settings.everyonePermissions.forEach((name, index) => {
    const entry = permissionTableEntry(name);
    if (entry?.access !== 'admin') {
      const raw = config.getStringArray(
        'permission.ownerOf.everyonePermissions',
      )[index];
      throw new Error(
        `Invalid permission.ownerOf.everyonePermissions[${index}] '${raw}': only permissions the owner-of permission table gives to admins belong here (${
          entry
            ? `this one is ${
                entry.access === 'everyone'
                  ? 'already allowed to everyone'
                  : 'decided per resource'
              }`
            : 'this one is not in the table'
        }); see the policy's README`,
      );
    }
  });
  return settings;
}
