import { classifyReadError, judgeSync } from './syncGuard';

const refs = (kind: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `${kind}:default/${kind}${i + from}`);

const previous = { userRefs: refs('user', 100), groupRefs: refs('group', 10) };

describe('judgeSync', () => {
  it('applies a first run and a normal change', () => {
    expect(
      judgeSync({
        next: previous,
        maxRemovedShare: 0.2,
        acceptLargeChange: false,
      }),
    ).toMatchObject({ verdict: 'apply', removedUsers: 0 });
    expect(
      judgeSync({
        previous,
        next: { userRefs: refs('user', 100, 5), groupRefs: previous.groupRefs },
        maxRemovedShare: 0.2,
        acceptLargeChange: false,
      }),
    ).toMatchObject({
      verdict: 'apply',
      removedUsers: 5,
      acceptedLargeChange: false,
    });
  });

  it('refuses no users or no groups, even when large changes are accepted', () => {
    for (const acceptLargeChange of [false, true]) {
      expect(
        judgeSync({
          previous,
          next: { userRefs: [], groupRefs: previous.groupRefs },
          maxRemovedShare: 0.2,
          acceptLargeChange,
        }),
      ).toMatchObject({ verdict: 'refuse', reason: 'no-users' });
      expect(
        judgeSync({
          next: { userRefs: previous.userRefs, groupRefs: [] },
          maxRemovedShare: 0.2,
          acceptLargeChange,
        }),
      ).toMatchObject({ verdict: 'refuse', reason: 'no-groups' });
    }
  });

  it('refuses removing more than the share, naming the counts, unless accepted', () => {
    const next = { userRefs: refs('user', 79), groupRefs: previous.groupRefs };
    const refused = judgeSync({
      previous,
      next,
      maxRemovedShare: 0.2,
      acceptLargeChange: false,
    });
    expect(refused).toMatchObject({
      verdict: 'refuse',
      reason: 'too-many-users-removed',
      removedUsers: 21,
    });
    expect(refused.verdict === 'refuse' && refused.message).toBe(
      'the run would remove 21 of 100 (21 %) users, over the limit of 20 % (79 users and 10 groups read)',
    );
    // Exactly the share is allowed
    expect(
      judgeSync({
        previous,
        next: { userRefs: refs('user', 80), groupRefs: previous.groupRefs },
        maxRemovedShare: 0.2,
        acceptLargeChange: false,
      }).verdict,
    ).toBe('apply');
    expect(
      judgeSync({
        previous,
        next,
        maxRemovedShare: 0.2,
        acceptLargeChange: true,
      }),
    ).toMatchObject({ verdict: 'apply', acceptedLargeChange: true });
    expect(
      judgeSync({
        previous,
        next: { userRefs: previous.userRefs, groupRefs: refs('group', 7) },
        maxRemovedShare: 0.2,
        acceptLargeChange: false,
      }),
    ).toMatchObject({ verdict: 'refuse', reason: 'too-many-groups-removed' });
  });
});

describe('classifyReadError', () => {
  it('names the bind, the connection and the search', () => {
    const forwarded = (message: string, cause: unknown) =>
      Object.assign(new Error(message), { cause });
    expect(
      classifyReadError(
        forwarded(
          'LDAP bind failed for cn=reader, InvalidCredentialsError',
          new Error('Invalid Credentials'),
        ),
      ),
    ).toBe('bind-failed');
    expect(
      classifyReadError(
        forwarded(
          'LDAP bind failed for cn=reader, Error: connect ECONNREFUSED 127.0.0.1:389',
          Object.assign(new Error('connect ECONNREFUSED'), {
            code: 'ECONNREFUSED',
          }),
        ),
      ),
    ).toBe('directory-unreachable');
    expect(
      classifyReadError(
        forwarded(
          'LDAP search at DN "ou=staff" failed',
          new Error('No Such Object'),
        ),
      ),
    ).toBe('search-failed');
    expect(classifyReadError(new Error('something else'))).toBe('read-failed');
  });
});
