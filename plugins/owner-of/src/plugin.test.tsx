import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import { EntityAccess } from './api/types';
import { entityAccessCard } from './plugin';

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

/** A fetch that answers every request with the given status and JSON body. */
function fakeFetch(status: number, body: unknown) {
  return jest.fn(
    async (_input: RequestInfo | URL, _init?: RequestInit) =>
      ({
        ok: status >= 200 && status < 300,
        status,
        statusText: String(status),
        headers: new Map([['content-type', 'application/json']]),
        json: async () => body,
        text: async () => JSON.stringify(body),
      } as unknown as Response),
  );
}

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
    const fetch = fakeFetch(200, sampleAccess);
    await renderCard(fetch);

    const read = await screen.findByRole('table', { name: 'Read access' });
    expect(screen.getByText('Access')).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://portico/api/permission/owner-of/access?entityRef=component%3Adefault%2Fpayment-gateway',
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
      const fetch = fakeFetch(status, { error: { name: 'NotAllowedError' } });
      await renderCard(fetch);

      await waitFor(() => expect(fetch).toHaveBeenCalled());
      await waitFor(() =>
        expect(screen.getByTestId('card-slot')).toBeEmptyDOMElement(),
      );
      expect(screen.queryByText('Access')).not.toBeInTheDocument();
    },
  );

  it('shows other failures as an error', async () => {
    await renderCard(
      fakeFetch(500, { error: { name: 'Error', message: 'boom' } }),
    );
    expect(
      await screen.findByText(/Request failed with 500/),
    ).toBeInTheDocument();
  });
});
