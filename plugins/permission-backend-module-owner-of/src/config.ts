import { Config, readDurationFromConfig } from '@backstage/config';
import {
  KubernetesValidatorFunctions,
  parseEntityRef,
} from '@backstage/catalog-model';
import { durationToMilliseconds } from '@backstage/types';
import {
  DEFAULT_ANNOTATION_PREFIXES,
  normalizeAnnotationPrefixes,
} from '@portico/plugin-owner-of-common';
import { permissionTableEntry } from './policy/permissionTable';

/**
 * The owner-of policy's settings, read from `permission.adminRefs` and
 * `permission.ownerOf`.
 *
 * @public
 */
export type OwnerOfSettings = {
  /** Lowercase `user:<ns>/<name>` and `group:<ns>/<name>` refs. */
  adminRefs: string[];
  annotationPrefixes: string[];
  publicKinds: string[];
  nestedGroups: boolean;
  membershipRefreshMs: number;
  everyonePermissions: string[];
};

const DEFAULT_MEMBERSHIP_REFRESH_MS = 30_000;

function parseAdminRef(ref: string, index: number): string {
  const fail = (): never => {
    throw new Error(
      `Invalid permission.adminRefs[${index}] '${ref}': expected user:[<namespace>/]<name> or group:[<namespace>/]<name>`,
    );
  };
  let parsed;
  try {
    parsed = parseEntityRef(ref.trim());
  } catch {
    return fail();
  }
  const kind = parsed.kind.toLowerCase();
  const namespace = parsed.namespace.toLowerCase();
  if (
    (kind !== 'user' && kind !== 'group') ||
    !/^[A-Za-z0-9-]+$/.test(parsed.namespace) ||
    !KubernetesValidatorFunctions.isValidNamespace(namespace) ||
    !KubernetesValidatorFunctions.isValidObjectName(parsed.name)
  ) {
    return fail();
  }
  return `${kind}:${namespace}/${parsed.name.toLowerCase()}`;
}

/**
 * Reads and validates the policy settings. Throws, naming the offending
 * entry and its index, when an admin ref or an everyone-permission is
 * malformed, so that a misconfigured backend does not start.
 *
 * @public
 */
export function readOwnerOfSettings(config: Config): OwnerOfSettings {
  const adminRefs = (
    config.getOptionalStringArray('permission.adminRefs') ?? []
  ).map(parseAdminRef);

  const ownerOf = config.getOptionalConfig('permission.ownerOf');

  const annotationPrefixes = normalizeAnnotationPrefixes(
    ownerOf?.getOptionalStringArray('annotationPrefixes') ?? [
      ...DEFAULT_ANNOTATION_PREFIXES,
    ],
  );

  const publicKinds = (
    ownerOf?.getOptionalStringArray('publicKinds') ?? ['Template']
  )
    .map(kind => kind.trim())
    .filter(kind => kind.length > 0);

  const everyonePermissions = (
    ownerOf?.getOptionalStringArray('everyonePermissions') ?? []
  ).map((name, index) => {
    const trimmed = name.trim();
    const entry = permissionTableEntry(trimmed);
    if (entry?.access !== 'admin') {
      throw new Error(
        `Invalid permission.ownerOf.everyonePermissions[${index}] '${name}': only permissions the owner-of permission table gives to admins belong here (${
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
    return trimmed;
  });

  let membershipRefreshMs = DEFAULT_MEMBERSHIP_REFRESH_MS;
  if (ownerOf?.has('membershipRefresh')) {
    membershipRefreshMs = durationToMilliseconds(
      readDurationFromConfig(ownerOf, { key: 'membershipRefresh' }),
    );
    if (!Number.isFinite(membershipRefreshMs) || membershipRefreshMs < 0) {
      throw new Error(
        'Invalid permission.ownerOf.membershipRefresh: must be a non-negative duration',
      );
    }
  }

  return {
    adminRefs,
    annotationPrefixes,
    publicKinds,
    nestedGroups: ownerOf?.getOptionalBoolean('nestedGroups') ?? true,
    membershipRefreshMs,
    everyonePermissions,
  };
}
