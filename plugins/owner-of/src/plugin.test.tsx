import { ResponseError } from '@backstage/errors';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  AccessExplanation,
  EntityAccess,
  TaskExplanation,
} from '@portico/plugin-owner-of-common';
import { OwnerOfApi, ownerOfApiRef } from './api';
import { entityAccessCard, taskAccess } from './plugin';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payment-gateway' },
  spec: { owner: 'payments-team' },
};

const sampleAccess: EntityAccess = {
  entityRef: 'component:default/payment-gateway',
  owner: 'group:default/payments-team',
  nestedGroups: true,
  actions: {
    read: [
      {
        rule: 'owner',
        subjectRef: 'group:default/payments-team',
        inheritedBy: 'nestedMembers',
      },
      {
        rule: 'annotation',
        subjectRef: 'user:default/dave',
        inheritedBy: 'none',
        annotation: 'backstage.tanzu.vmware.com/user.dave',
      },
      {
        rule: 'admin',
        subjectRef: 'group:default/platform-team',
        inheritedBy: 'nestedMembers',
      },
      { rule: 'publicKind', kind: 'Component' },
    ],
    delete: [
      {
        rule: 'owner',
        subjectRef: 'group:default/payments-team',
        inheritedBy: 'nestedMembers',
      },
    ],
    refresh: [],
  },
  grantProblems: [
    "Annotation backstage.tanzu.vmware.com/group.support: unknown permission 'catalog.entities.read'",
  ],
};

const sampleExplanation: AccessExplanation = {
  entityRef: 'component:default/payment-gateway',
  userRef: 'user:default/bob',
  claims: [],
  admin: null,
  owner: 'group:default/payments-team',
  grantProblems: [],
  actions: {
    read: {
      allowed: true,
      grants: [],
      reason: 'user:default/bob → group:default/payments-team (owner)',
    },
    delete: {
      allowed: true,
      grants: [],
      reason: 'user:default/bob → group:default/payments-team (owner)',
    },
    refresh: {
      allowed: false,
      grants: [],
      reason: 'user:default/bob has no refreshableBy relation',
    },
  },
};

/** The error the owner-of client rejects with when an endpoint answers `status`. */
function failure(status: number, name = 'NotAllowedError', message = '') {
  const body = { error: { name, message } };
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: String(status),
    headers: new Map([['content-type', 'application/json']]),
    json: async () => body,
    text: async () => JSON.stringify(body),
  } as unknown as Response);
}

const forbidden = () => failure(403);

/** An owner-of API whose methods answer as given; the others refuse with 403. */
function mockOwnerOfApi(
  answers: Partial<{ [K in keyof OwnerOfApi]: () => Promise<unknown> }>,
): jest.Mocked<OwnerOfApi> {
  const method = (name: keyof OwnerOfApi) =>
    jest.fn(async () => {
      const answer = answers[name];
      if (!answer) throw await forbidden();
      return answer();
    });
  return {
    getAccess: method('getAccess'),
    explainEntity: method('explainEntity'),
    explainTask: method('explainTask'),
    getUnregisterPlan: method('getUnregisterPlan'),
    unregister: method('unregister'),
    requestAccess: method('requestAccess'),
  } as unknown as jest.Mocked<OwnerOfApi>;
}

const reject = (status: number, name?: string, message?: string) => () =>
  failure(status, name, message).then(error => Promise.reject(error));

async function renderCard(api: OwnerOfApi) {
  const card = createExtensionTester(entityAccessCard).reactElement();
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <div data-testid="card-slot">{card}</div>
    </EntityProvider>,
    { apis: [[ownerOfApiRef, api]] },
  );
}

// Rendering the app and typing in dialogs is slow on a loaded machine.
jest.setTimeout(30_000);

describe('entity access card', () => {
  it('renders one table per action from the access endpoint', async () => {
    const api = mockOwnerOfApi({
      getAccess: async () => sampleAccess,
      explainEntity: async () => sampleExplanation,
    });
    await renderCard(api);

    const read = await screen.findByRole(
      'table',
      { name: 'Read access' },
      { timeout: 10_000 },
    );
    expect(screen.getByText('Access')).toBeInTheDocument();
    expect(api.getAccess).toHaveBeenCalledWith(
      'component:default/payment-gateway',
    );
    const mine = await screen.findByTestId(
      'my-access',
      {},
      { timeout: 10_000 },
    );
    expect(api.explainEntity).toHaveBeenCalledWith(
      'component:default/payment-gateway',
    );
    expect(mine).toHaveTextContent('Your access (user:default/bob)');
    expect(mine).toHaveTextContent(
      'read: allowed — user:default/bob → group:default/payments-team (owner)',
    );
    expect(mine).toHaveTextContent(
      'refresh: refused — user:default/bob has no refreshableBy relation',
    );

    const readRows = within(read)
      .getAllByRole('row')
      .slice(1)
      .map(row => row.textContent);
    expect(readRows).toEqual([
      'group:default/payments-teamOwnerMembers of the group and of its nested groups',
      'user:default/daveGrant annotation backstage.tanzu.vmware.com/user.dave',
      'group:default/platform-teamAdmin (permission.adminRefs)Members of the group and of its nested groups',
      'Every signed-in userPublic kind Component',
    ]);

    const remove = screen.getByRole('table', { name: 'Delete access' });
    expect(within(remove).getAllByRole('row')).toHaveLength(2);
    const refresh = screen.getByRole('table', { name: 'Refresh access' });
    expect(within(refresh).getByText('Admins only')).toBeInTheDocument();

    const warning = screen.getByRole('alert');
    expect(warning).toHaveTextContent('1 grant annotation problem(s)');
    expect(warning).toHaveTextContent(sampleAccess.grantProblems[0]);
  });

  it.each([401, 403, 404])(
    'renders nothing when the endpoint answers %d',
    async status => {
      const api = mockOwnerOfApi({ getAccess: reject(status) });
      await renderCard(api);

      await waitFor(() => expect(api.getAccess).toHaveBeenCalled());
      await waitFor(() => expect(api.explainEntity).toHaveBeenCalled());
      await waitFor(() =>
        expect(screen.getByTestId('card-slot')).toBeEmptyDOMElement(),
      );
      expect(screen.queryByText('Access')).not.toBeInTheDocument();
    },
  );

  it('shows a reader who may not see the table their own access and lets them ask for more', async () => {
    const api = mockOwnerOfApi({
      explainEntity: async () => sampleExplanation,
      requestAccess: async () => ({
        message: 'If this entity exists, its owners have been asked.',
      }),
    });
    await renderCard(api);

    expect(await screen.findByTestId('my-access')).toHaveTextContent(
      'refresh: refused',
    );
    expect(screen.getByText('Access')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Read access' })).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: 'Ask the owners for more access' }),
    );
    await userEvent.type(
      await screen.findByRole('textbox', { name: 'Why do you need access?' }),
      'I rotate its keys',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));
    expect(
      await screen.findByText(
        'If this entity exists, its owners have been asked.',
      ),
    ).toBeInTheDocument();
    expect(api.requestAccess).toHaveBeenCalledWith({
      entityRef: 'component:default/payment-gateway',
      permissions: ['catalog.entity.refresh'],
      reason: 'I rotate its keys',
    });
  });

  it("shows the access request backend's refusal in the dialog", async () => {
    const api = mockOwnerOfApi({
      explainEntity: async () => sampleExplanation,
      requestAccess: reject(
        400,
        'InputError',
        'reason must be at most 500 characters',
      ),
    });
    await renderCard(api);

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Ask the owners for more access',
      }),
    );
    await userEvent.type(
      await screen.findByRole('textbox', { name: 'Why do you need access?' }),
      'I rotate its keys',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Send request' }));
    expect(
      await screen.findByRole('alert', {}, { timeout: 10_000 }),
    ).toHaveTextContent('reason must be at most 500 characters');
  });

  it('shows other failures as an error', async () => {
    await renderCard(
      mockOwnerOfApi({ getAccess: reject(500, 'Error', 'boom') }),
    );
    expect(
      await screen.findByText(
        /Request failed with 500/,
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
  });
});

describe('task access', () => {
  const taskId = '0f6b2c9e-4c1a-4d7e-9a35-2b8f0c6d1e77';

  async function renderAt(path: string, api: OwnerOfApi) {
    return renderInTestApp(
      <div data-testid="slot">
        {createExtensionTester(taskAccess).reactElement()}
      </div>,
      {
        initialRouteEntries: [path],
        apis: [[ownerOfApiRef, api]],
      },
    );
  }

  it("says on a task's page who may see and cancel it, and hides on request", async () => {
    const explanation: TaskExplanation = {
      taskId,
      userRef: 'user:default/bob',
      createdBy: 'user:default/bob',
      visibleTo: 'the user who started it (user:default/bob) and admins',
      actions: {
        read: {
          allowed: true,
          reason: 'user:default/bob started this task',
        },
        cancel: {
          allowed: true,
          reason: 'user:default/bob started this task',
        },
      },
    };
    const api = mockOwnerOfApi({ explainTask: async () => explanation });
    await renderAt(`/create/tasks/${taskId}`, api);

    const panel = await screen.findByRole(
      'complementary',
      { name: 'Access to this task' },
      { timeout: 10_000 },
    );
    expect(api.explainTask).toHaveBeenCalledWith(taskId);
    expect(panel).toHaveTextContent(
      'visible to the user who started it (user:default/bob) and admins',
    );
    expect(panel).toHaveTextContent(
      'cancel: allowed — user:default/bob started this task',
    );
    await userEvent.click(within(panel).getByRole('button', { name: 'Hide' }));
    expect(screen.queryByTestId('task-access')).toBeNull();
  });

  it('shows nothing for a task the user may not read, nor away from task pages', async () => {
    const api = mockOwnerOfApi({ explainTask: reject(404, 'NotFoundError') });
    await renderAt(`/create/tasks/${taskId}`, api);
    await waitFor(() => expect(api.explainTask).toHaveBeenCalled());
    await waitFor(() =>
      expect(screen.getByTestId('slot')).toBeEmptyDOMElement(),
    );

    const elsewhere = mockOwnerOfApi({});
    await renderAt('/create/tasks', elsewhere);
    expect(elsewhere.explainTask).not.toHaveBeenCalled();
  });
});
