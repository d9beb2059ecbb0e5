import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';

type Task = {
  id: string;
  status: string;
  createdAt: string;
  spec?: {
    templateInfo?: {
      entity?: { metadata?: { title?: string; name?: string } };
    };
  };
};

/** The signed-in user's latest software template runs, newest first. */
export const TemplateRuns = () => {
  const identityApi = useApi(identityApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const { value, loading, error } = useAsync(async () => {
    const { userEntityRef } = await identityApi.getBackstageIdentity();
    const baseUrl = await discoveryApi.getBaseUrl('scaffolder');
    const query = new URLSearchParams({
      createdBy: userEntityRef,
      order: 'desc:created_at',
      limit: '5',
    });
    const response = await fetchApi.fetch(`${baseUrl}/v2/tasks?${query}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return ((await response.json()) as { tasks: Task[] }).tasks;
  }, [identityApi, discoveryApi, fetchApi]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <Typography variant="body2">
        You have run no template yet. <Link to="/create">Create something</Link>
        .
      </Typography>
    );
  }
  return (
    <ul>
      {value.map(task => {
        const template = task.spec?.templateInfo?.entity?.metadata;
        return (
          <li key={task.id}>
            <Link to={`/create/tasks/${task.id}`}>
              {template?.title ?? template?.name ?? 'Template run'}
            </Link>{' '}
            ({task.status}, {new Date(task.createdAt).toLocaleString()})
          </li>
        );
      })}
    </ul>
  );
};
