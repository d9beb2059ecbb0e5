/**
 * Why a sync run was refused or failed. A small fixed set, so it can be a
 * metric attribute and a stable value in audit events.
 *
 * @public
 */
export type SyncRefusalReason =
  | 'no-users'
  | 'no-groups'
  | 'too-many-users-removed'
  | 'too-many-groups-removed'
  | 'bind-failed'
  | 'directory-unreachable'
  | 'search-failed'
  | 'read-failed';

/** The refs a run read or the last applied run wrote. */
export type OrgSnapshot = { userRefs: string[]; groupRefs: string[] };

/** @public */
export type SyncJudgement =
  | {
      verdict: 'apply';
      removedUsers: number;
      removedGroups: number;
      /** True when the removal share was over the limit but an operator accepted it. */
      acceptedLargeChange: boolean;
    }
  | {
      verdict: 'refuse';
      reason: SyncRefusalReason;
      message: string;
      removedUsers: number;
      removedGroups: number;
    };

function removedCount(previous: string[], next: Set<string>) {
  return previous.filter(ref => !next.has(ref)).length;
}

/**
 * Decides whether a successful directory read may replace the organization
 * in the catalog. A read with no users or no groups is always refused (it is
 * what a wrong base DN or a reader that lost its rights looks like); a read
 * removing more than `maxRemovedShare` of the users or groups last applied
 * is refused unless an operator accepted a large change.
 */
export function judgeSync(options: {
  previous?: OrgSnapshot;
  next: OrgSnapshot;
  maxRemovedShare: number;
  acceptLargeChange: boolean;
}): SyncJudgement {
  const { previous, next, maxRemovedShare } = options;
  const removedUsers = previous
    ? removedCount(previous.userRefs, new Set(next.userRefs))
    : 0;
  const removedGroups = previous
    ? removedCount(previous.groupRefs, new Set(next.groupRefs))
    : 0;
  const counts = `${next.userRefs.length} users and ${next.groupRefs.length} groups read`;
  if (next.userRefs.length === 0) {
    return {
      verdict: 'refuse',
      reason: 'no-users',
      message: `the directory returned no users (${counts})`,
      removedUsers,
      removedGroups,
    };
  }
  if (next.groupRefs.length === 0) {
    return {
      verdict: 'refuse',
      reason: 'no-groups',
      message: `the directory returned no groups (${counts})`,
      removedUsers,
      removedGroups,
    };
  }
  const over = (removed: number, total: number) =>
    total > 0 && removed / total > maxRemovedShare;
  const percent = (removed: number, total: number) =>
    `${removed} of ${total} (${Math.round((removed / total) * 100)} %)`;
  const limit = `${Math.round(maxRemovedShare * 100)} %`;
  let refusal: { reason: SyncRefusalReason; message: string } | undefined;
  if (previous && over(removedUsers, previous.userRefs.length)) {
    refusal = {
      reason: 'too-many-users-removed',
      message: `the run would remove ${percent(
        removedUsers,
        previous.userRefs.length,
      )} users, over the limit of ${limit} (${counts})`,
    };
  } else if (previous && over(removedGroups, previous.groupRefs.length)) {
    refusal = {
      reason: 'too-many-groups-removed',
      message: `the run would remove ${percent(
        removedGroups,
        previous.groupRefs.length,
      )} groups, over the limit of ${limit} (${counts})`,
    };
  }
  if (refusal && !options.acceptLargeChange) {
    return { verdict: 'refuse', ...refusal, removedUsers, removedGroups };
  }
  return {
    verdict: 'apply',
    removedUsers,
    removedGroups,
    acceptedLargeChange: refusal !== undefined,
  };
}

/**
 * Names why reading the directory failed, from the LDAP provider's error:
 * the bind, the connection or the search.
 */
export function classifyReadError(error: unknown): SyncRefusalReason {
  const codes = new Set<string>();
  const messages: string[] = [];
  let current: any = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string') {
      codes.add(current.code);
    }
    messages.push(String(current.message ?? current));
    current = current.cause;
  }
  const text = messages.join(' ');
  if (
    [
      'ECONNREFUSED',
      'ETIMEDOUT',
      'ECONNRESET',
      'EHOSTUNREACH',
      'ENOTFOUND',
    ].some(code => codes.has(code) || text.includes(code)) ||
    /connection (closed|timeout)|socket/i.test(text)
  ) {
    return 'directory-unreachable';
  }
  if (text.includes('LDAP bind failed')) {
    return 'bind-failed';
  }
  if (text.includes('LDAP search')) {
    return 'search-failed';
  }
  return 'read-failed';
}
