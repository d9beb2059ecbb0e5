import { Config, readDurationFromConfig } from '@backstage/config';
import {
  KubernetesValidatorFunctions,
  parseEntityRef,
} from '@backstage/catalog-model';
import { durationToMilliseconds } from '@backstage/types';
import { DEFAULT_ANNOTATION_PREFIXES } from './constants';
import { normalizeAnnotationPrefixes } from './grants';

/**
 * The owner-of settings, read from `permission.adminRefs` and `permission.ownerOf` (declared in
 * this package's `config.d.ts`) by {@link readOwnerOfConfig}, the one reader of those keys.
 *
 * @public
 */
export type OwnerOfConfig = {
  /** Lowercase `user:<ns>/<name>` and `group:<ns>/<name>` refs. */
  adminRefs: string[];
  /** Normalized grant annotation prefixes. */
  annotationPrefixes: string[];
  publicKinds: string[];
  nestedGroups: boolean;
  membershipRefreshMs: number;
  /** Trimmed permission names; the policy checks them against its permission table. */
  everyonePermissions: string[];
  /** Whether the catalog module hides what names unreadable entities (with permissions on). */
  hideUnreadableRelations: boolean;
};

const DEFAULT_PUBLIC_KINDS = ['Template'];
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
 * Reads and validates `permission.adminRefs` and `permission.ownerOf`. Throws, naming the
 * offending entry and its index, when an admin ref is malformed or the membership refresh is
 * not a non-negative duration, so that a misconfigured backend does not start.
 *
 * @public
 */
export function readOwnerOfConfig(config: Config): OwnerOfConfig {
  const adminRefs = (
    config.getOptionalStringArray('permission.adminRefs') ?? []
  ).map(parseAdminRef);

  const ownerOf = config.getOptionalConfig('permission.ownerOf');

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
    annotationPrefixes: normalizeAnnotationPrefixes(
      ownerOf?.getOptionalStringArray('annotationPrefixes') ?? [
        ...DEFAULT_ANNOTATION_PREFIXES,
      ],
    ),
    publicKinds: (
      ownerOf?.getOptionalStringArray('publicKinds') ?? DEFAULT_PUBLIC_KINDS
    )
      .map(kind => kind.trim())
      .filter(kind => kind.length > 0),
    nestedGroups: ownerOf?.getOptionalBoolean('nestedGroups') ?? true,
    membershipRefreshMs,
    everyonePermissions: (
      ownerOf?.getOptionalStringArray('everyonePermissions') ?? []
    ).map(name => name.trim()),
    hideUnreadableRelations:
      ownerOf?.getOptionalBoolean('hideUnreadableRelations') ?? true,
  };
}
