import { ConfigReader } from '@backstage/config';
import { readOwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { explainTask } from './explainTask';

const policy = new OwnerOfPolicy({
  settings: readOwnerOfSettings(
    new ConfigReader({
      permission: { adminRefs: ['group:default/platform-team'] },
    }),
  ),
  membership: { resolve: jest.fn() },
});

function claims(userRef: string, groups: string[] = []): ResolvedClaims {
  const all = [userRef, ...groups];
  return {
    userRef,
    claims: all,
    via: new Map(all.map(ref => [ref, [userRef, ref]])),
  };
}

const taskId = '4b1f1c9e-0d6a-4c57-9d1c-3f1a2b3c4d5e';

describe('explainTask', () => {
  it('lets the author see and cancel their task', () => {
    expect(
      explainTask({
        taskId,
        createdBy: 'user:default/Bob',
        claims: claims('user:default/bob', ['group:default/payments-team']),
        policy,
      }),
    ).toEqual({
      taskId,
      userRef: 'user:default/bob',
      createdBy: 'user:default/Bob',
      visibleTo: 'the user who started it (user:default/Bob) and admins',
      actions: {
        read: { allowed: true, reason: 'user:default/bob started this task' },
        cancel: {
          allowed: true,
          reason: 'user:default/bob started this task',
        },
      },
    });
  });

  it('refuses a teammate, and names the author', () => {
    const answer = explainTask({
      taskId,
      createdBy: 'user:default/bob',
      claims: claims('user:default/gustavo', ['group:default/payments-team']),
      policy,
    });
    expect(answer.actions.read).toEqual({
      allowed: false,
      reason:
        'user:default/gustavo is not an admin and did not start this task (user:default/bob did)',
    });
    expect(answer.actions.cancel.allowed).toBe(false);
  });

  it('lets admins see every task, and says why', () => {
    const answer = explainTask({
      taskId,
      createdBy: null,
      claims: claims('user:default/alice', ['group:default/platform-team']),
      policy,
    });
    expect(answer.actions.read).toEqual({
      allowed: true,
      reason:
        'user:default/alice is an admin through group:default/platform-team: admins see every task',
    });
    expect(answer.visibleTo).toBe('the user who started it and admins');
  });
});
