import { screen } from '@testing-library/react';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { OrgHealth, OrgHealthPage } from './OrgHealthPage';

const health: OrgHealth = {
  providers: [
    {
      id: 'harborline',
      lastRun: {
        at: '2026-12-04T10:00:00Z',
        result: 'refused',
        reason: 'too-many-users-removed',
        message: 'the run would remove 12 of 23 (52 %) users',
        users: 11,
        groups: 13,
      },
      lastApplied: { at: '2026-12-04T09:50:00Z', users: 23, groups: 13 },
      recentProblems: [
        {
          at: '2026-12-04T10:00:00Z',
          result: 'refused',
          reason: 'too-many-users-removed',
          message: 'the run would remove 12 of 23 (52 %) users',
          users: 11,
          groups: 13,
        },
      ],
      acceptNextLargeChange: null,
    },
  ],
  warnings: {
    missingAdminRefs: ['group:default/platfrom-team'],
    danglingGrants: [
      {
        entityRef: 'component:default/billing',
        annotation: 'backstage.tanzu.vmware.com/user.nobody',
        subjectRef: 'user:default/nobody',
      },
    ],
  },
};

function renderPage(response: Response) {
  const fetch = jest.fn(async () => response);
  return {
    fetch,
    rendered: renderInTestApp(
      <TestApiProvider
        apis={[
          [fetchApiRef, { fetch }],
          [
            discoveryApiRef,
            { getBaseUrl: async () => 'http://backend/api/catalog' },
          ],
        ]}
      >
        <OrgHealthPage />
      </TestApiProvider>,
    ),
  };
}

describe('OrgHealthPage', () => {
  it('shows admins the last sync, refused runs and what names nobody', async () => {
    const { fetch } = renderPage(
      new Response(JSON.stringify(health), { status: 200 }),
    );
    expect(
      await screen.findByText(
        /Last run .*: refused \(too-many-users-removed\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/23 users and 13 groups, applied/),
    ).toBeInTheDocument();
    expect(screen.getByText('Refused and failed runs')).toBeInTheDocument();
    expect(
      screen.getByText(
        /group:default\/platfrom-team, which is not in the catalog/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /names user:default\/nobody, which is not in the catalog/,
      ),
    ).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith('http://backend/api/catalog/org-health');
  });

  it('gives every row of the refused runs table an id, as material-table asks', async () => {
    // material-table checks the rows only in development builds.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const warn = jest.spyOn(console, 'warn');
    try {
      renderPage(new Response(JSON.stringify(health), { status: 200 }));
      expect(
        await screen.findByText('Refused and failed runs'),
      ).toBeInTheDocument();
      expect(warn).not.toHaveBeenCalledWith(
        expect.stringMatching(/requires all rows to have an unique id/),
      );
    } finally {
      warn.mockRestore();
      process.env.NODE_ENV = nodeEnv;
    }
  });

  it('tells everyone else it is for admins only', async () => {
    renderPage(new Response('{}', { status: 403 }));
    expect(await screen.findByText(/Admins only/)).toBeInTheDocument();
  });
});
