import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  WarningPanel,
} from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';

type SyncRun = {
  at: string;
  result: 'applied' | 'refused' | 'failed';
  reason?: string;
  message: string;
  users: number;
  groups: number;
};

/** What `GET /api/catalog/org-health` answers admins. */
export type OrgHealth = {
  providers: Array<{
    id: string;
    lastRun: SyncRun | null;
    lastApplied: { at: string; users: number; groups: number } | null;
    recentProblems: SyncRun[];
    acceptNextLargeChange: { by: string; at: string } | null;
  }>;
  warnings: {
    missingAdminRefs: string[];
    danglingGrants: Array<{
      entityRef: string;
      annotation: string;
      subjectRef: string;
    }>;
  };
};

const when = (iso: string) => new Date(iso).toLocaleString();

function ProviderCard({ provider }: { provider: OrgHealth['providers'][0] }) {
  const { lastRun, lastApplied } = provider;
  return (
    <InfoCard title={`Directory sync: ${provider.id}`}>
      <Typography variant="body1">
        {lastRun
          ? `Last run ${when(lastRun.at)}: ${lastRun.result}${
              lastRun.reason ? ` (${lastRun.reason})` : ''
            }, ${lastRun.message}`
          : 'Not run yet.'}
      </Typography>
      <Typography variant="body1">
        {lastApplied
          ? `Organization in the catalog: ${lastApplied.users} users and ${
              lastApplied.groups
            } groups, applied ${when(lastApplied.at)}.`
          : 'No run has been applied yet.'}
      </Typography>
      {provider.acceptNextLargeChange && (
        <Typography variant="body2">
          {provider.acceptNextLargeChange.by} accepted the next large change.
        </Typography>
      )}
      {provider.recentProblems.length > 0 && (
        <Table
          title="Refused and failed runs"
          options={{ paging: false, search: false, padding: 'dense' }}
          // material-table wants a unique id on every row (it warns otherwise).
          data={provider.recentProblems.map((run, index) => ({
            ...run,
            id: `${run.at} ${index}`,
          }))}
          columns={[
            { title: 'When', render: row => when(row.at) },
            { title: 'Result', field: 'result' },
            { title: 'Reason', field: 'reason' },
            { title: 'Why', field: 'message' },
          ]}
        />
      )}
    </InfoCard>
  );
}

/**
 * The organization's health for admins: each directory sync's last run and
 * refused runs, admin refs and grant annotations that name nobody.
 */
export const OrgHealthPage = () => {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const { value, loading, error } = useAsync(async () => {
    const base = await discoveryApi.getBaseUrl('catalog');
    const response = await fetchApi.fetch(`${base}/org-health`);
    if (response.status === 403) {
      return 'forbidden' as const;
    }
    if (!response.ok) {
      throw new Error(
        `Reading the organization health failed: ${response.status} ${response.statusText}`,
      );
    }
    return (await response.json()) as OrgHealth;
  }, [discoveryApi, fetchApi]);

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (value === 'forbidden') {
    body = (
      <WarningPanel title="Admins only">
        The organization health is shown to the admins named in
        permission.adminRefs.
      </WarningPanel>
    );
  } else if (value) {
    const { missingAdminRefs, danglingGrants } = value.warnings;
    body = (
      <>
        {value.providers.length === 0 && (
          <Typography variant="body1">
            No directory sync is configured; the organization comes from catalog
            files.
          </Typography>
        )}
        {value.providers.map(provider => (
          <ProviderCard key={provider.id} provider={provider} />
        ))}
        {missingAdminRefs.length > 0 && (
          <WarningPanel title="Admin refs naming nobody">
            {missingAdminRefs.map(ref => (
              <div key={ref}>
                permission.adminRefs lists {ref}, which is not in the catalog:
                it makes nobody an admin.
              </div>
            ))}
          </WarningPanel>
        )}
        {danglingGrants.length > 0 && (
          <WarningPanel title="Grants naming nobody">
            {danglingGrants.map(grant => (
              <div key={`${grant.entityRef} ${grant.annotation}`}>
                {grant.annotation} on {grant.entityRef} names {grant.subjectRef}
                , which is not in the catalog.
              </div>
            ))}
          </WarningPanel>
        )}
        {missingAdminRefs.length === 0 && danglingGrants.length === 0 && (
          <Typography variant="body1">
            Every admin ref and grant names an existing user or group.
          </Typography>
        )}
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header title="Organization health" />
      <Content>{body}</Content>
    </Page>
  );
};
