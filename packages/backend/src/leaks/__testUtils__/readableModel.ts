/*
 * The owner-of rules written out plainly, independent of the policy's code: given the catalog's
 * entities (as a service sees them) and the admin refs, what a user may read, delete and refresh.
 * The leak tests compare every endpoint with this.
 */
import { Entity } from '@backstage/catalog-model';

const GRANT_PREFIX = 'backstage.tanzu.vmware.com/';
/** app-config's permission.ownerOf.publicKinds: templates and the org chart. */
export const PUBLIC_KINDS = ['template', 'user', 'group'];

/**
 * The demo users the leak tests read as: an admin, an owner, a nested member, a granted
 * outsider, a personal owner, a grantee through a team grant, a member of two teams, and a
 * department member (who does not inherit what the teams below own).
 */
export const DEMO_USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'priya',
  'wen',
  'tomas',
];

/** The leak tests' permission.adminRefs: alice's team. */
export const DEMO_ADMIN_REFS = ['group:default/platform-team'];

/** `kind:namespace/name`, lowercase, with the defaults the catalog applies. */
export function refOf(
  value: string,
  defaults: { kind: string; namespace?: string },
): string {
  const match = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(value.trim())!;
  const kind = match[1] ?? defaults.kind;
  const namespace = match[2] ?? defaults.namespace ?? 'default';
  return `${kind}:${namespace}/${match[3]}`.toLowerCase();
}

export function entityRef(entity: Entity): string {
  return `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }`.toLowerCase();
}

type Grant = { subject: string; permissions: string[] };

/** Grants written as `<prefix>/<user|group>.[<namespace>.]<name>: 'perm, perm'`. */
function grantsOf(entity: Entity): Grant[] {
  return Object.entries(entity.metadata.annotations ?? {})
    .filter(([key]) => key.startsWith(GRANT_PREFIX))
    .flatMap(([key, value]) => {
      const parts = key.slice(GRANT_PREFIX.length).split('.');
      if (!['user', 'group'].includes(parts[0])) return [];
      const [kind, namespace, name] =
        parts.length === 2
          ? [parts[0], 'default', parts[1]]
          : [parts[0], parts[1], parts.slice(2).join('.')];
      return [
        {
          subject: `${kind}:${namespace}/${name}`.toLowerCase(),
          permissions: value.split(',').map(p => p.trim()),
        },
      ];
    });
}

export type AccessModel = {
  readable: Set<string>;
  deletable: Set<string>;
  refreshable: Set<string>;
};

export function accessOf(
  userName: string,
  entities: Entity[],
  adminRefs: string[],
): AccessModel {
  const user = `user:default/${userName}`;
  const byRef = new Map(entities.map(e => [entityRef(e), e]));
  const parentOf = (group: string) => {
    const parent = byRef.get(group)?.spec?.parent;
    return typeof parent === 'string'
      ? refOf(parent, { kind: 'group' })
      : undefined;
  };

  // The user, their groups and every group above those.
  const claims = new Set([user]);
  const memberOf = (byRef.get(user)?.spec?.memberOf as string[]) ?? [];
  for (const direct of memberOf) {
    for (
      let group: string | undefined = refOf(direct, { kind: 'group' });
      group && !claims.has(group);
      group = parentOf(group)
    ) {
      claims.add(group);
    }
  }
  const isAdmin = adminRefs.some(ref => claims.has(ref.toLowerCase()));

  const access: AccessModel = {
    readable: new Set(),
    deletable: new Set(),
    refreshable: new Set(),
  };
  for (const entity of entities) {
    const ref = entityRef(entity);
    const owner =
      typeof entity.spec?.owner === 'string'
        ? refOf(entity.spec.owner, {
            kind: 'group',
            namespace: entity.metadata.namespace,
          })
        : undefined;
    const owns = owner !== undefined && claims.has(owner);
    const granted = (permission: string) =>
      grantsOf(entity).some(
        g => claims.has(g.subject) && g.permissions.includes(permission),
      );
    const isOwnUserOrGroup =
      ['user', 'group'].includes(entity.kind.toLowerCase()) && claims.has(ref);

    if (
      isAdmin ||
      owns ||
      isOwnUserOrGroup ||
      granted('catalog.entity.read') ||
      (PUBLIC_KINDS.includes(entity.kind.toLowerCase()) &&
        // A read grant restricts an entity of a public kind to its owner and grantees.
        !grantsOf(entity).some(g =>
          g.permissions.includes('catalog.entity.read'),
        ))
    ) {
      access.readable.add(ref);
    }
    if (isAdmin || owns || granted('catalog.entity.delete')) {
      access.deletable.add(ref);
    }
    if (
      isAdmin ||
      owns ||
      granted('catalog.entity.refresh') ||
      granted('catalog.entity.update')
    ) {
      access.refreshable.add(ref);
    }
  }
  return access;
}

/**
 * The relation targets of the entities that name an entity the user may not read, except the
 * owner (`ownedBy` of `spec.owner`) and system (`partOf` of `spec.system`) the entity's own spec
 * names, which its reader sees in the spec anyway.
 */
export function hiddenNamesIn(
  entities: Array<Entity | null>,
  readable: Set<string>,
): string[] {
  return entities.flatMap(entity => {
    if (!entity) return [];
    const namespace = entity.metadata.namespace;
    const selfNamed = new Set<string>();
    if (typeof entity.spec?.owner === 'string') {
      selfNamed.add(
        `ownedby ${refOf(entity.spec.owner, { kind: 'group', namespace })}`,
      );
    }
    if (typeof entity.spec?.system === 'string') {
      selfNamed.add(
        `partof ${refOf(entity.spec.system, { kind: 'system', namespace })}`,
      );
    }
    return (entity.relations ?? [])
      .filter(r => !readable.has(r.targetRef.toLowerCase()))
      .filter(r => !selfNamed.has(`${r.type} ${r.targetRef}`.toLowerCase()))
      .map(r => `${entityRef(entity)} ${r.type} ${r.targetRef}`);
  });
}
