import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { taskCreatePermission } from '@backstage/plugin-scaffolder-common/alpha';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import {
  ACCESS_ACTIONS,
  ACCESS_RELATIONS,
  AccessAction,
  AccessExplanation,
  AccessGrantExplanation,
  ENTITY_PERMISSIONS,
  HAS_ACCESS_RELATION_RULE,
  HasAccessRelationParams,
  isKindSubjectRef,
  computeAccessEntries,
  entityHasAccessRelation,
  matchingAccessSubjects,
  resolveOwnerRef,
} from '@portico/plugin-owner-of-common';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';

type Condition = PermissionCondition<'catalog-entity'>;

/**
 * Evaluates the criteria of the policy's decision, the very one the catalog receives, against
 * an entity with the rule's own in-memory form (the shared HAS_ACCESS_RELATION semantics).
 */
function evaluate(
  criteria: PermissionCriteria<Condition>,
  entity: Entity,
  matched: Condition[],
): boolean {
  if ('anyOf' in criteria) {
    // Evaluate every branch so that all reasons are reported.
    return criteria.anyOf.map(c => evaluate(c, entity, matched)).some(Boolean);
  }
  if ('allOf' in criteria) {
    return criteria.allOf.every(c => evaluate(c, entity, matched));
  }
  if ('not' in criteria) {
    return !evaluate(criteria.not, entity, []);
  }
  if (criteria.rule !== HAS_ACCESS_RELATION_RULE) {
    throw new Error(
      `The explain endpoint cannot evaluate rule ${criteria.rule}`,
    );
  }
  const result = entityHasAccessRelation(
    entity,
    criteria.params as HasAccessRelationParams,
  );
  if (result) {
    matched.push(criteria);
  }
  return result;
}

/**
 * Why each matching subject of a HAS_ACCESS_RELATION condition has the relation: the source of
 * its access entry, or the public kind for a kind subject (reported last).
 */
function attribute(
  entity: Entity,
  action: AccessAction,
  condition: Condition,
  claims: ResolvedClaims,
  annotationPrefixes: readonly string[],
): AccessGrantExplanation[] {
  const params = condition.params as HasAccessRelationParams;
  const { entries } = computeAccessEntries(entity, annotationPrefixes);
  const subjects = matchingAccessSubjects(entity, params);
  const publicKind = subjects.some(isKindSubjectRef)
    ? [{ rule: 'publicKind' as const, kind: entity.kind }]
    : [];
  const grants = subjects
    .filter(subjectRef => !isKindSubjectRef(subjectRef))
    .flatMap(subjectRef => {
      const via = claims.via.get(subjectRef) ?? [subjectRef];
      const sources = entries.filter(
        e => e.subjectRef === subjectRef && e.actions.includes(action),
      );
      if (sources.length === 0) {
        return [
          {
            rule: 'relation' as const,
            subjectRef,
            via,
            relation: params.relation,
          },
        ];
      }
      return sources.map((entry): AccessGrantExplanation => {
        switch (entry.source.type) {
          case 'annotation':
            return {
              rule: 'annotation',
              subjectRef,
              via,
              annotation: entry.source.annotation,
            };
          case 'owner':
            return { rule: 'owner', subjectRef, via };
          default:
            return { rule: 'self', subjectRef, via };
        }
      });
    });
  return [...grants, ...publicKind];
}

function readRefusalSuffix(entity: Entity, policy: OwnerOfPolicy): string {
  return policy.isPublicKind(entity.kind)
    ? `; its kind ${entity.kind} is public, but its read grants restrict it to its owner and grantees`
    : ' and its kind is not public';
}

/** May the user run the template (read it, and create tasks), and who sees its runs. */
function explainTemplate(
  claims: ResolvedClaims,
  policy: OwnerOfPolicy,
  read: { allowed: boolean; reason: string },
  admin: { ref: string } | null,
): NonNullable<AccessExplanation['template']> {
  const create = policy.decide(taskCreatePermission, claims);
  let run: { allowed: boolean; reason: string };
  if (!read.allowed) {
    run = {
      allowed: false,
      reason: `${claims.userRef} may not run this template: they may not read it (${read.reason})`,
    };
  } else if (create.result !== AuthorizeResult.ALLOW) {
    run = {
      allowed: false,
      reason: `${claims.userRef} may not run templates: ${taskCreatePermission.name} is denied to them`,
    };
  } else {
    run = {
      allowed: true,
      reason: `${claims.userRef} may run this template because they may read it: ${read.reason}`,
    };
  }
  return {
    run,
    tasks: `Each run of this template (a scaffolder task: its parameters, log, cancel and retry) is visible to the user who started it and to admins${
      admin ? `; ${claims.userRef} is an admin and sees every run` : ''
    }`,
  };
}

/**
 * Explains which rules give a user read, delete and refresh on an entity,
 * from the policy's own decisions for the user's resolved claims: the same decisions the
 * catalog receives, evaluated with the rule's in-memory form.
 *
 * @public
 */
export function explainAccess(options: {
  entity: Entity;
  claims: ResolvedClaims;
  policy: OwnerOfPolicy;
  annotationPrefixes: readonly string[];
}): AccessExplanation {
  const { entity, claims, policy, annotationPrefixes } = options;
  const entityRef = stringifyEntityRef(entity);
  const admin = policy.adminVia(claims) ?? null;

  const actions = {} as AccessExplanation['actions'];
  for (const action of ACCESS_ACTIONS) {
    const decision = policy.decide(ENTITY_PERMISSIONS[action], claims);
    if (decision.result === AuthorizeResult.ALLOW) {
      actions[action] = {
        allowed: true,
        grants: admin
          ? [{ rule: 'admin', subjectRef: admin.ref, via: admin.via }]
          : [],
        reason: admin
          ? `${claims.userRef} is an admin through ${admin.ref}`
          : `${ENTITY_PERMISSIONS[action].name} is allowed for everyone`,
      };
      continue;
    }
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      actions[action] = {
        allowed: false,
        grants: [],
        reason: `${ENTITY_PERMISSIONS[action].name} is denied to ${claims.userRef}`,
      };
      continue;
    }
    const matched: Condition[] = [];
    const allowed = evaluate(
      decision.conditions as PermissionCriteria<Condition>,
      entity,
      matched,
    );
    const grants = matched.flatMap(condition =>
      attribute(entity, action, condition, claims, annotationPrefixes),
    );
    actions[action] = {
      allowed,
      grants,
      reason: allowed
        ? grants
            .map(g =>
              g.rule === 'publicKind'
                ? `kind ${g.kind} is readable by every signed-in user`
                : `${g.via.join(' → ')} (${
                    g.rule === 'annotation'
                      ? `annotation ${g.annotation}`
                      : g.rule
                  })`,
            )
            .join('; ')
        : `${claims.userRef} is not an admin, and ${entityRef} has no ${
            ACCESS_RELATIONS[action]
          } relation to any of their claims (${claims.claims.join(', ')})${
            action === 'read' ? readRefusalSuffix(entity, policy) : ''
          }`,
    };
  }

  return {
    entityRef,
    userRef: claims.userRef,
    ...(entity.kind.toLowerCase() === 'template'
      ? { template: explainTemplate(claims, policy, actions.read, admin) }
      : {}),
    claims: claims.claims.map(ref => ({
      ref,
      via: claims.via.get(ref) ?? [ref],
    })),
    admin,
    owner: resolveOwnerRef(entity) ?? null,
    actions,
    grantProblems: computeAccessEntries(entity, annotationPrefixes).problems,
  };
}
