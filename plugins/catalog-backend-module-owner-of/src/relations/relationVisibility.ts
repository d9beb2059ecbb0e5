import { parseEntityRef } from '@backstage/catalog-model';
import {
  ACCESS_RELATIONS,
  isKindSubjectRef,
} from '@portico/plugin-owner-of-common';

/**
 * The catalog read routes whose responses carry entities, and where the
 * entities sit in each response body.
 */
export type EntityResponseShape =
  /** `GET /entities`: an array of entities. */
  | 'array'
  /** `GET` and `POST /entities/by-query`, `POST /entities/by-refs`: `{ items }`, with nulls for refs not found. */
  | 'items'
  /** `GET /entities/by-uid/:uid`, `GET /entities/by-name/:kind/:namespace/:name`: one entity. */
  | 'entity'
  /** `GET /entities/by-name/:kind/:namespace/:name/ancestry`: `{ items: [{ entity, parentEntityRefs }] }`. */
  | 'ancestry'
  /** `GET` and `POST /entity-facets`: `{ facets: { [field]: [{ value, count }] } }`. */
  | 'facets';

const ROUTES: Array<{
  method: string;
  pattern: RegExp;
  shape: EntityResponseShape;
}> = [
  { method: 'GET', pattern: /^\/entities\/?$/, shape: 'array' },
  { method: 'GET', pattern: /^\/entities\/by-query\/?$/, shape: 'items' },
  { method: 'POST', pattern: /^\/entities\/by-query\/?$/, shape: 'items' },
  { method: 'POST', pattern: /^\/entities\/by-refs\/?$/, shape: 'items' },
  { method: 'GET', pattern: /^\/entities\/by-uid\/[^/]+\/?$/, shape: 'entity' },
  {
    method: 'GET',
    pattern: /^\/entities\/by-name\/[^/]+\/[^/]+\/[^/]+\/ancestry\/?$/,
    shape: 'ancestry',
  },
  {
    method: 'GET',
    pattern: /^\/entities\/by-name\/[^/]+\/[^/]+\/[^/]+\/?$/,
    shape: 'entity',
  },
  { method: 'GET', pattern: /^\/entity-facets\/?$/, shape: 'facets' },
  { method: 'POST', pattern: /^\/entity-facets\/?$/, shape: 'facets' },
];

/** The response shape of a catalog route, or undefined when it returns no entities. */
export function entityResponseShape(
  method: string,
  path: string,
): EntityResponseShape | undefined {
  return ROUTES.find(r => r.method === method && r.pattern.test(path))?.shape;
}

type Relation = { type?: unknown; targetRef?: unknown };
type EntityLike = { relations?: unknown } & Record<string, unknown>;
type AncestryItem = { entity?: EntityLike; parentEntityRefs?: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entities of a response body, whatever its shape. */
function entitiesOf(shape: EntityResponseShape, body: unknown): EntityLike[] {
  switch (shape) {
    case 'array':
      return Array.isArray(body) ? body.filter(isObject) : [];
    case 'items':
      return isObject(body) && Array.isArray(body.items)
        ? body.items.filter(isObject)
        : [];
    case 'entity':
      return isObject(body) ? [body] : [];
    case 'ancestry':
      return isObject(body) && Array.isArray(body.items)
        ? (body.items as AncestryItem[])
            .map(item => item?.entity)
            .filter(isObject)
        : [];
    default:
      return [];
  }
}

/** The targets of an entity's relations, but for the owner and system its own spec names. */
function relationTargets(entity: EntityLike): string[] {
  if (!Array.isArray(entity.relations)) {
    return [];
  }
  const selfNamed = selfNamedRelations(entity);
  return (entity.relations as Relation[])
    .filter(r => !isSelfNamed(r, selfNamed))
    .map(r => r?.targetRef)
    .filter((ref): ref is string => typeof ref === 'string');
}

/** Whether a relation is one of `selfNamedRelations`' (kept whether or not its target is readable). */
function isSelfNamed(relation: Relation, selfNamed: Set<string>): boolean {
  return (
    typeof relation?.type === 'string' &&
    typeof relation?.targetRef === 'string' &&
    selfNamed.has(`${relation.type} ${relation.targetRef}`.toLowerCase())
  );
}

/** The ref an ancestry item stands for: `kind:namespace/name` of its entity. */
function ancestryRef(item: AncestryItem): string | undefined {
  const entity = item?.entity as
    | { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } }
    | undefined;
  const kind = entity?.kind;
  const name = entity?.metadata?.name;
  const namespace = entity?.metadata?.namespace ?? 'default';
  if (typeof kind !== 'string' || typeof name !== 'string') {
    return undefined;
  }
  return `${kind}:${String(namespace)}/${name}`.toLowerCase();
}

const accessRelationTypes = new Set<string>(
  Object.values(ACCESS_RELATIONS).map(type => type.toLowerCase()),
);

/**
 * Removes the owner-of policy's access relations (`readableBy`, `deletableBy`, `refreshableBy`)
 * from the entities of a response body, in place, and says whether there were any. They are the
 * policy's bookkeeping, indexed for its SQL filter: they name subjects a user may not be able to
 * read (or no entity at all), would show on entity pages as relations to missing entities, and
 * make entities about 40 % larger. Who may do what is the Access card's to say.
 */
export function stripAccessRelations(
  shape: EntityResponseShape,
  body: unknown,
): boolean {
  let stripped = false;
  for (const entity of entitiesOf(shape, body)) {
    if (!Array.isArray(entity.relations)) continue;
    const kept = (entity.relations as Relation[]).filter(
      r =>
        !(
          typeof r?.type === 'string' &&
          accessRelationTypes.has(r.type.toLowerCase())
        ),
    );
    if (kept.length !== entity.relations.length) {
      entity.relations = kept;
      stripped = true;
    }
  }
  return stripped;
}

/**
 * Every entity ref a response names besides the entities it returns and whose
 * visibility decides what the caller gets: the targets of their relations
 * (except the owner and system an entity's own spec names, which
 * `withoutHiddenRefs` keeps whatever their visibility), the entities and parent
 * refs of an ancestry chain and the values of relation facets, lowercased.
 * These are the refs to check before the response reaches the caller; a page
 * of components that name only their owner needs no check at all. The virtual
 * kind subjects are included: they name no entity, so they are never visible.
 */
export function namedRefs(shape: EntityResponseShape, body: unknown): string[] {
  const refs = new Set<string>();
  const add = (ref: string) => refs.add(ref.toLowerCase());
  for (const entity of entitiesOf(shape, body)) {
    relationTargets(entity).forEach(add);
  }
  if (shape === 'ancestry' && isObject(body) && Array.isArray(body.items)) {
    for (const item of body.items as AncestryItem[]) {
      const ref = ancestryRef(item);
      if (ref) add(ref);
      // A parent may be named without an item of its own in the chain.
      if (Array.isArray(item?.parentEntityRefs)) {
        item.parentEntityRefs
          .filter((parent): parent is string => typeof parent === 'string')
          .forEach(add);
      }
    }
  }
  if (shape === 'facets' && isObject(body) && isObject(body.facets)) {
    for (const [field, values] of Object.entries(body.facets)) {
      if (
        field.toLowerCase().startsWith('relations.') &&
        Array.isArray(values)
      ) {
        for (const { value } of values as Array<{ value?: unknown }>) {
          if (typeof value === 'string') add(value);
        }
      }
    }
  }
  return [...refs];
}

/**
 * The owner and system relations that an entity's own spec names
 * (`spec.owner`, `spec.system`), as `type targetRef`, lowercased. A reader of
 * the entity already sees these refs in its spec, so their relations reveal
 * nothing more and are kept, whether or not the target is readable: a granted
 * component still shows who owns it and which system it belongs to.
 */
export function selfNamedRelations(entity: EntityLike): Set<string> {
  const named = new Set<string>();
  const spec = isObject(entity.spec) ? entity.spec : {};
  const metadata = isObject(entity.metadata) ? entity.metadata : {};
  const defaultNamespace =
    typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  const add = (type: string, value: unknown, defaultKind: string) => {
    if (typeof value !== 'string' || value.trim() === '') return;
    try {
      const ref = parseEntityRef(value.trim(), {
        defaultKind,
        defaultNamespace,
      });
      named.add(
        `${type} ${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase(),
      );
    } catch {
      // A malformed ref produces no relation in the catalog either.
    }
  };
  add('ownedby', spec.owner, 'Group');
  add('partof', spec.system, 'System');
  return named;
}

/**
 * The response body without what names an entity the caller may not read:
 * relations to such entities (except the owner and system the entity's own
 * spec names), ancestry entries for them, and relation facet values naming
 * them. `isVisible` receives lowercase refs.
 */
export function withoutHiddenRefs(
  shape: EntityResponseShape,
  body: unknown,
  isVisible: (ref: string) => boolean,
): unknown {
  const visible = (ref: unknown) =>
    typeof ref === 'string' &&
    !isKindSubjectRef(ref) &&
    isVisible(ref.toLowerCase());

  const filterEntity = (entity: unknown): unknown => {
    if (!isObject(entity) || !Array.isArray(entity.relations)) {
      return entity;
    }
    const selfNamed = selfNamedRelations(entity);
    return {
      ...entity,
      relations: (entity.relations as Relation[]).filter(
        r => visible(r?.targetRef) || isSelfNamed(r, selfNamed),
      ),
    };
  };

  switch (shape) {
    case 'array':
      return Array.isArray(body) ? body.map(filterEntity) : body;
    case 'items':
      return isObject(body) && Array.isArray(body.items)
        ? { ...body, items: body.items.map(filterEntity) }
        : body;
    case 'entity':
      return filterEntity(body);
    case 'ancestry': {
      if (!isObject(body) || !Array.isArray(body.items)) {
        return body;
      }
      const items = (body.items as AncestryItem[])
        .filter(item => {
          const ref = ancestryRef(item);
          return ref !== undefined && visible(ref);
        })
        .map(item => ({
          ...item,
          entity: filterEntity(item.entity),
          parentEntityRefs: Array.isArray(item.parentEntityRefs)
            ? item.parentEntityRefs.filter(visible)
            : item.parentEntityRefs,
        }));
      return { ...body, items };
    }
    case 'facets': {
      if (!isObject(body) || !isObject(body.facets)) {
        return body;
      }
      const facets = Object.fromEntries(
        Object.entries(body.facets).map(([field, values]) => [
          field,
          field.toLowerCase().startsWith('relations.') && Array.isArray(values)
            ? (values as Array<{ value?: unknown }>).filter(v =>
                visible(v?.value),
              )
            : values,
        ]),
      );
      return { ...body, facets };
    }
    default:
      return body;
  }
}
