import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ACCESS_ACTIONS,
  AccessAction,
  DEFAULT_ANNOTATION_PREFIXES,
} from './constants';
import { parseGrants } from './grants';

/**
 * Why a subject has access to an entity.
 *
 * @public
 */
export type AccessSource =
  /** The subject is the entity's `spec.owner`. */
  | { type: 'owner' }
  /** The entity is the subject's own User or Group entity. */
  | { type: 'self' }
  /** A grant annotation on the entity names the subject. */
  | { type: 'annotation'; annotation: string };

/**
 * A subject and the actions one source gives it on an entity.
 *
 * @public
 */
export type AccessEntry = {
  /** Normalized, lowercase entity ref of a user or group. */
  subjectRef: string;
  actions: AccessAction[];
  source: AccessSource;
};

/**
 * Resolves `spec.owner` the way the catalog does for the `ownedBy` relation:
 * default kind Group, default namespace the entity's own. Returns the
 * lowercase ref, or undefined when there is no usable owner.
 *
 * @public
 */
export function resolveOwnerRef(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || owner.trim() === '') {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'Group',
        defaultNamespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
      }),
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Everything that gives some user or group access to an entity:
 * the owner (read, delete, refresh), the entity itself when it is a User or
 * Group (read, so members see their own user and groups), and each grant
 * annotation (exactly the actions it lists). Grant problems are returned
 * alongside.
 *
 * This is the single definition of who gets which access relation; the
 * catalog processor emits relations from it and the explain endpoint
 * attributes access with it.
 *
 * @public
 */
export function computeAccessEntries(
  entity: Entity,
  annotationPrefixes: readonly string[] = DEFAULT_ANNOTATION_PREFIXES,
): { entries: AccessEntry[]; problems: string[] } {
  const entries: AccessEntry[] = [];

  const ownerRef = resolveOwnerRef(entity);
  if (ownerRef) {
    entries.push({
      subjectRef: ownerRef,
      actions: [...ACCESS_ACTIONS],
      source: { type: 'owner' },
    });
  }

  const kind = entity.kind.toLowerCase();
  if (kind === 'user' || kind === 'group') {
    entries.push({
      subjectRef: stringifyEntityRef(entity).toLowerCase(),
      actions: ['read'],
      source: { type: 'self' },
    });
  }

  const { grants, problems } = parseGrants(
    entity.metadata.annotations,
    annotationPrefixes,
  );
  for (const grant of grants) {
    entries.push({
      subjectRef: grant.subjectRef,
      actions: ACCESS_ACTIONS.filter(action => grant.actions.has(action)),
      source: { type: 'annotation', annotation: grant.annotation },
    });
  }

  return { entries, problems };
}

/**
 * Whether grant annotations restrict who reads the entity: an entity with a read grant is
 * readable by its owner and grantees only, even when its kind is public (a template meant
 * for one team). The catalog module leaves the kind's virtual subject off such an entity.
 *
 * @public
 */
export function hasReadGrant(entries: readonly AccessEntry[]): boolean {
  return entries.some(
    entry =>
      entry.source.type === 'annotation' && entry.actions.includes('read'),
  );
}
