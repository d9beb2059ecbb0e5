import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EntityAccess } from '@portico/plugin-owner-of-common';
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

const sampleExplanation = {
  userRef: 'user:default/bob',
  actions: {
    read: {
      allowed: true,
      reason: 'user:default/bob → group:default/payments-team (owner)',
    },
    delete: {
      allowed: true,
      reason: 'user:default/bob → group:default/payments-team (owner)',
    },
    refresh: {
      allowed: false,
      reason: 'user:default/bob has no refreshableBy relation',
    },
  },
};

type Answer = { status: number; body: unknown };

/** A fetch that answers each owner-of endpoint with the given status and JSON body. */
function fakeFetch(answers: {
  access: Answer;
  explain: Answer;
  requests?: Answer;
  task?: Answer;
}) {
  return jest.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = String(input);
    let answer = answers.access;
    if (url.includes('/owner-of/explain?')) answer = answers.explain;
    if (url.includes('/owner-of/explain?taskId=') && answers.task) {
      answer = answers.task;
    }
    if (url.endsWith('/access-request/requests') && answers.requests) {
      answer = answers.requests;
    }
    const { status, body } = answer;
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: String(status),
      headers: new Map([['content-type', 'application/json']]),
      json: async () => body,
      text: async () => JSON.stringify(body),
    } as unknown as Response;
  });
}

const forbidden = { status: 403, body: { error: { name: 'NotAllowedError' } } };

async function renderCard(fetch: ReturnType<typeof fakeFetch>) {
  const card = createExtensionTester(entityAccessCard).reactElement();
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <div data-testid="card-slot">{card}</div>
    </EntityProvider>,
    {
      apis: [
        [fetchApiRef, { fetch }],
        [discoveryApiRef, mockApis.discovery({ baseUrl: 'http://portico' })],
      ],
    },
  );
}

describe('entity access card', () => {
  it('renders one table per action from the access endpoint', async () => {
    const fetch = fakeFetch({
      access: { status: 200, body: sampleAccess },
      explain: { status: 200, body: sampleExplanation },
    });
    await renderCard(fetch);

    const read = await screen.findByRole(
      'table',
      { name: 'Read access' },
      { timeout: 10_000 },
    );
    expect(screen.getByText('Access')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://portico/api/permission/owner-of/access?entityRef=component%3Adefault%2Fpayment-gateway',
    );
    const mine = await screen.findByTestId(
      'my-access',
      {},
      { timeout: 10_000 },
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

  it.each([403, 404])(
    'renders nothing when the endpoint answers %d',
    async status => {
      const fetch = fakeFetch({
        access: { status, body: { error: { name: 'NotAllowedError' } } },
        explain: forbidden,
      });
      await renderCard(fetch);

      await waitFor(() => expect(fetch).toHaveBeenCalled());
      await waitFor(() =>
        expect(screen.getByTestId('card-slot')).toBeEmptyDOMElement(),
      );
      expect(screen.queryByText('Access')).not.toBeInTheDocument();
    },
  );

  it('shows a reader who may not see the table their own access and lets them ask for more', async () => {
    const fetch = fakeFetch({
      access: forbidden,
      explain: { status: 200, body: sampleExplanation },
      requests: {
        status: 202,
        body: { message: 'If this entity exists, its owners have been asked.' },
      },
    });
    await renderCard(fetch);

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
    const [url, init] = fetch.mock.calls.find(([input]) =>
      String(input).includes('/requests'),
    )!;
    expect(String(url)).toBe('http://portico/api/access-request/requests');
    expect(JSON.parse(String(init?.body))).toEqual({
      entityRef: 'component:default/payment-gateway',
      permissions: ['catalog.entity.refresh'],
      reason: 'I rotate its keys',
    });
  });

  it('shows other failures as an error', async () => {
    await renderCard(
      fakeFetch({
        access: {
          status: 500,
          body: { error: { name: 'Error', message: 'boom' } },
        },
        explain: forbidden,
      }),
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

  async function renderAt(path: string, fetch: ReturnType<typeof fakeFetch>) {
    return renderInTestApp(
      <div data-testid="slot">
        {createExtensionTester(taskAccess).reactElement()}
      </div>,
      {
        initialRouteEntries: [path],
        apis: [
          [fetchApiRef, { fetch }],
          [discoveryApiRef, mockApis.discovery({ baseUrl: 'http://portico' })],
        ],
      },
    );
  }

  it("says on a task's page who may see and cancel it, and hides on request", async () => {
    const fetch = fakeFetch({
      access: forbidden,
      explain: forbidden,
      task: {
        status: 200,
        body: {
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
        },
      },
    });
    await renderAt(`/create/tasks/${taskId}`, fetch);

    const panel = await screen.findByRole(
      'complementary',
      { name: 'Access to this task' },
      { timeout: 10_000 },
    );
    expect(fetch).toHaveBeenCalledWith(
      `http://portico/api/permission/owner-of/explain?taskId=${taskId}`,
    );
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
    const fetch = fakeFetch({
      access: forbidden,
      explain: forbidden,
      task: { status: 404, body: { error: { name: 'NotFoundError' } } },
    });
    await renderAt(`/create/tasks/${taskId}`, fetch);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await waitFor(() =>
      expect(screen.getByTestId('slot')).toBeEmptyDOMElement(),
    );

    const elsewhere = fakeFetch({ access: forbidden, explain: forbidden });
    await renderAt('/create/tasks', elsewhere);
    expect(elsewhere).not.toHaveBeenCalled();
  });
});
