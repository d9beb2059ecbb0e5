import { useLocation } from 'react-router-dom';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { AskForAccess } from './AskForAccess';

const ENTITY_PAGE = /^\/catalog\/([^/]+)\/([^/]+)\/([^/]+)/;

/**
 * On the page of an entity the user may not read (the catalog answers as if
 * it did not exist), offers "Ask the owners for access". The catalog's entity
 * page has no slot for its not-found state, so this is rendered beside the
 * app's routes and shows itself only there.
 */
export function HiddenEntityAccessRequest() {
  const { pathname } = useLocation();
  const catalogApi = useApi(catalogApiRef);
  const match = ENTITY_PAGE.exec(pathname);
  const entityRef = match
    ? `${decodeURIComponent(match[2])}:${decodeURIComponent(
        match[1],
      )}/${decodeURIComponent(match[3])}`.toLowerCase()
    : undefined;
  const { value: hidden } = useAsync(async () => {
    if (!entityRef) return false;
    return (await catalogApi.getEntityByRef(entityRef)) === undefined;
  }, [catalogApi, entityRef]);
  if (!entityRef || !hidden) return null;
  return (
    <Paper
      elevation={6}
      data-testid="hidden-entity-access-request"
      style={{
        position: 'fixed',
        bottom: 24,
        left: '50%',
        transform: 'translateX(-50%)',
        padding: 16,
        zIndex: 1200,
        maxWidth: 560,
      }}
    >
      <Typography variant="body1" paragraph>
        You cannot see <strong>{entityRef}</strong>. If it exists, its owners
        can give you access.
      </Typography>
      <AskForAccess entityRef={entityRef} />
    </Paper>
  );
}
