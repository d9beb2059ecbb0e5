import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** The directory layout the tests, the demo and the benchmark share. */
export const HARBORLINE_SUFFIX = 'dc=harborline,dc=example';
export const PEOPLE_DN = `ou=people,${HARBORLINE_SUFFIX}`;
export const GROUPS_DN = `ou=groups,${HARBORLINE_SUFFIX}`;
export const READER_DN = `cn=portico-reader,ou=services,${HARBORLINE_SUFFIX}`;
export const READER_PASSWORD = 'harborline-reader';

export type OrgGroup = {
  name: string;
  type: string;
  displayName?: string;
  description?: string;
  email?: string;
  parent?: string;
};

export type OrgUser = {
  name: string;
  displayName?: string;
  email: string;
  memberOf: string[];
};

export const userDn = (name: string) => `uid=${name},${PEOPLE_DN}`;
export const groupDn = (name: string) => `cn=${name},${GROUPS_DN}`;

function attr(name: string, value: string | undefined): string[] {
  if (value === undefined || value === '') {
    return [];
  }
  // LDIF needs base64 for values that are not plain ASCII or start oddly
  return /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value)
    ? [`${name}: ${value}`]
    : [`${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`];
}

/**
 * Writes an organization as LDIF: users as inetOrgPerson under ou=people,
 * groups as groupOfNames under ou=groups whose `member` lists their users
 * and child groups (nesting), and a read-only bind account.
 */
export function orgToLdif(
  org: { groups: OrgGroup[]; users: OrgUser[] },
  header?: string,
) {
  const members = new Map<string, string[]>(org.groups.map(g => [g.name, []]));
  for (const group of org.groups) {
    if (group.parent) {
      members.get(group.parent)?.push(groupDn(group.name));
    }
  }
  for (const user of org.users) {
    for (const group of user.memberOf) {
      members.get(group)?.push(userDn(user.name));
    }
  }
  const blocks: string[][] = [
    [
      `dn: ${HARBORLINE_SUFFIX}`,
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: harborline',
      'o: Harborline Freight',
    ],
    [`dn: ${PEOPLE_DN}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ${GROUPS_DN}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [
      `dn: ou=services,${HARBORLINE_SUFFIX}`,
      'objectClass: organizationalUnit',
      'ou: services',
    ],
    [
      `dn: ${READER_DN}`,
      'objectClass: organizationalRole',
      'objectClass: simpleSecurityObject',
      'cn: portico-reader',
      `userPassword: ${READER_PASSWORD}`,
      'description: Read-only account the portal binds as to sync the organization',
    ],
  ];
  for (const user of org.users) {
    const displayName = user.displayName ?? user.name;
    blocks.push([
      `dn: ${userDn(user.name)}`,
      'objectClass: inetOrgPerson',
      `uid: ${user.name}`,
      ...attr('cn', displayName),
      ...attr('sn', displayName.split(' ').pop() || user.name),
      ...attr('displayName', displayName),
      ...attr('mail', user.email),
    ]);
  }
  // Children before parents: the memberof overlay fills a member's memberOf
  // only when that member already exists.
  for (const group of [...org.groups].reverse()) {
    const groupMembers = members.get(group.name)!;
    if (groupMembers.length === 0) {
      throw new Error(
        `Group '${group.name}' has no members or child groups; groupOfNames needs at least one member`,
      );
    }
    blocks.push([
      `dn: ${groupDn(group.name)}`,
      'objectClass: groupOfNames',
      'objectClass: extensibleObject',
      `cn: ${group.name}`,
      `businessCategory: ${group.type}`,
      ...attr('displayName', group.displayName),
      ...attr('description', group.description),
      ...attr('mail', group.email),
      ...groupMembers.map(dn => `member: ${dn}`),
    ]);
  }
  const body = `${blocks.map(lines => lines.join('\n')).join('\n\n')}\n`;
  return header
    ? `${header
        .split('\n')
        .map(line => `# ${line}`)
        .join('\n')}\n\n${body}`
    : body;
}

/** Reads the groups and users of a catalog YAML file such as demo-data/org.yaml. */
export function readOrgYaml(file: string): {
  groups: OrgGroup[];
  users: OrgUser[];
} {
  const groups: OrgGroup[] = [];
  const users: OrgUser[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const entity = doc.toJS();
    if (entity?.kind === 'Group') {
      groups.push({
        name: entity.metadata.name,
        type: entity.spec.type,
        displayName: entity.spec.profile?.displayName,
        description: entity.metadata.description,
        email: entity.spec.profile?.email,
        parent: entity.spec.parent,
      });
    } else if (entity?.kind === 'User') {
      users.push({
        name: entity.metadata.name,
        displayName: entity.spec.profile?.displayName,
        email: entity.spec.profile.email,
        memberOf: entity.spec.memberOf ?? [],
      });
    }
  }
  return { groups, users };
}
