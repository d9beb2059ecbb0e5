import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ACCESS_ACTIONS,
  ACCESS_RELATIONS,
  AccessAction,
  computeAccessEntries,
  kindOfSubjectRef,
  resolveOwnerRef,
} from '@portico/plugin-owner-of-common';
import { OwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import {
  AccessGrantExplanation,
  explainAccess,
} from '../explain/explainAccess';

/**
 * Who else gets the access of a group subject: nobody for a user, the
 * group's members, or (with nested groups) also the members of all its
 * descendant groups.
 *
 * @public
 */
export type AccessInheritance = 'none' | 'members' | 'nestedMembers';

/**
 * One subject that may perform an action, and the rule that lets it.
 * `publicKind` has no subject: it stands for every signed-in user.
 *
 * @public
 */
export type AccessHolder =
  | { rule: 'admin'; subjectRef: string; inheritedBy: AccessInheritance }
  | { rule: 'owner'; subjectRef: string; inheritedBy: AccessInheritance }
  | { rule: 'self'; subjectRef: string; inheritedBy: AccessInheritance }
  | {
      rule: 'annotation';
      subjectRef: string;
      inheritedBy: AccessInheritance;
      annotation: string;
    }
  | {
      rule: 'relation';
      subjectRef: string;
      inheritedBy: AccessInheritance;
      relation: string;
    }
  | { rule: 'publicKind'; kind: string };

/**
 * The access endpoint's answer: for each action, everyone who may perform
 * it on the entity, and why.
 *
 * @public
 */
export type EntityAccess = {
  entityRef: string;
  owner: string | null;
  nestedGroups: boolean;
  actions: Record<AccessAction, AccessHolder[]>;
  grantProblems: string[];
};

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
