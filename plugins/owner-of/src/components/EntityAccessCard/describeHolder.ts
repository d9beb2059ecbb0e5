import {
  AccessHolder,
  AccessInheritance,
} from '@portico/plugin-owner-of-common';

/** The subject of a row: an entity ref, or everyone for a public kind. */
export function holderSubject(holder: AccessHolder): string {
  return holder.rule === 'publicKind'
    ? 'Every signed-in user'
    : holder.subjectRef;
}

/** Why the subject has the access, in words. */
export function holderReason(holder: AccessHolder): string {
  switch (holder.rule) {
    case 'admin':
      return 'Admin (permission.adminRefs)';
    case 'owner':
      return 'Owner';
    case 'self':
      return 'The entity itself: a user sees their User, members their Group';
    case 'annotation':
      return `Grant annotation ${holder.annotation}`;
    case 'relation':
      return `Leftover ${holder.relation} relation, gone when the entity is reprocessed`;
    case 'publicKind':
      return `Public kind ${holder.kind}`;
    default:
      return 'Unknown rule';
  }
}

const INHERITANCE: Record<AccessInheritance, string> = {
  none: '',
  members: 'Direct members of the group',
  nestedMembers: 'Members of the group and of its nested groups',
};

/** Who else gets the subject's access through group membership. */
export function holderInheritance(holder: AccessHolder): string {
  return holder.rule === 'publicKind' ? '' : INHERITANCE[holder.inheritedBy];
}
