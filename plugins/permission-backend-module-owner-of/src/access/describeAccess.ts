import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ACCESS_ACTIONS,
  ACCESS_RELATIONS,
  AccessGrantExplanation,
  AccessHolder,
  AccessInheritance,
  EntityAccess,
  computeAccessEntries,
  kindOfSubjectRef,
  resolveOwnerRef,
} from '@portico/plugin-owner-of-common';
import { OwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { explainAccess } from '../explain/explainAccess';

function claimsOf(subjectRef: string | undefined): ResolvedClaims {
  return {
    // The subject stands in for a user; with no subject, a user without any
    // claim (one nothing names) shows what every signed-in user gets.
    userRef: subjectRef ?? 'user:default/any-signed-in-user',
    claims: subjectRef ? [subjectRef] : [],
    via: new Map(subjectRef ? [[subjectRef, [subjectRef]]] : []),
  };
}

function toHolder(
  grant: AccessGrantExplanation,
  inheritedBy: AccessInheritance,
): AccessHolder {
  switch (grant.rule) {
    case 'publicKind':
      return grant;
    case 'annotation':
      return {
        rule: 'annotation',
        subjectRef: grant.subjectRef,
        inheritedBy,
        annotation: grant.annotation,
      };
    case 'relation':
      return {
        rule: 'relation',
        subjectRef: grant.subjectRef,
        inheritedBy,
        relation: grant.relation,
      };
    default:
      return { rule: grant.rule, subjectRef: grant.subjectRef, inheritedBy };
  }
}

/**
 * Lists who may read, delete and refresh an entity. Every user or group the
 * entity could grant something to (its access entries, the targets of its
 * access relations, the admin refs) is put through the explain logic as if
 * it were a user holding only that claim, so the answer follows the policy's
 * own decisions; the public-kind rule comes from a user with no claims.
 *
 * @public
 */
export function describeAccess(options: {
  entity: Entity;
  policy: OwnerOfPolicy;
  settings: Pick<
    OwnerOfSettings,
    'adminRefs' | 'annotationPrefixes' | 'nestedGroups'
  >;
}): EntityAccess {
  const { entity, policy, settings } = options;
  const { entries, problems } = computeAccessEntries(
    entity,
    settings.annotationPrefixes,
  );
  const accessRelationTypes = new Set(
    Object.values(ACCESS_RELATIONS).map(type => type.toLowerCase()),
  );
  const relationTargets = (entity.relations ?? [])
    .filter(r => accessRelationTypes.has(String(r.type).toLowerCase()))
    .map(r => String(r.targetRef).toLowerCase())
    // The virtual kind subjects stand for public kinds, reported below.
    .filter(target => kindOfSubjectRef(target) === undefined);
  const subjects = [
    ...new Set([
      ...entries.map(e => e.subjectRef),
      ...relationTargets,
      ...settings.adminRefs,
    ]),
  ];

  const actions = Object.fromEntries(
    ACCESS_ACTIONS.map(action => [action, [] as AccessHolder[]]),
  ) as EntityAccess['actions'];
  const inheritance = (subjectRef: string): AccessInheritance => {
    if (!subjectRef.startsWith('group:')) {
      return 'none';
    }
    return settings.nestedGroups ? 'nestedMembers' : 'members';
  };

  for (const subjectRef of subjects) {
    const explanation = explainAccess({
      entity,
      claims: claimsOf(subjectRef),
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    for (const action of ACCESS_ACTIONS) {
      for (const grant of explanation.actions[action].grants) {
        // The public-kind rule is reported once, for everyone, below.
        if (grant.rule !== 'publicKind') {
          actions[action].push(toHolder(grant, inheritance(subjectRef)));
        }
      }
    }
  }

  const everyone = explainAccess({
    entity,
    claims: claimsOf(undefined),
    policy,
    annotationPrefixes: settings.annotationPrefixes,
  });
  for (const action of ACCESS_ACTIONS) {
    for (const grant of everyone.actions[action].grants) {
      actions[action].push(toHolder(grant, 'none'));
    }
  }

  return {
    entityRef: stringifyEntityRef(entity),
    owner: resolveOwnerRef(entity) ?? null,
    nestedGroups: settings.nestedGroups,
    actions,
    grantProblems: problems,
  };
}
