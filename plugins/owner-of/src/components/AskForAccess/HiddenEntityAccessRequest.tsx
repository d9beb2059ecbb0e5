import { useCallback, useEffect } from 'react';
import { useLocation } from 'react-router-dom';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { AskForAccess } from './AskForAccess';

const ENTITY_PAGE = /^\/catalog\/([^/]+)\/([^/]+)\/([^/]+)/;

/** How often, and how long, a hidden entity is looked up again. */
export const RECHECK_INTERVAL_MS = 3_000;
export const RECHECK_FOR_MS = 120_000;

/**
 * Looks `entityRef` up again every few seconds for a while, and calls `onReadable` once the
 * catalog returns it. An entity just created from a template is registered at once but read
 * only after the catalog has processed it, and the catalog's entity page never asks again:
 * without this, its creator would be left on a page saying it does not exist.
 */
function useRecheckUntilReadable(
  check: () => Promise<boolean>,
  active: boolean,
  onReadable: () => void,
) {
  useEffect(() => {
    if (!active) return undefined;
    const startedAt = Date.now();
    let stopped = false;
    const timer = setInterval(async () => {
      if (Date.now() - startedAt > RECHECK_FOR_MS) {
        clearInterval(timer);
        return;
      }
      const readable = await check().catch(() => false);
      if (readable && !stopped) {
        clearInterval(timer);
        onReadable();
      }
    }, RECHECK_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [check, active, onReadable]);
}

const reloadPage = () => window.location.reload();

/**
 * On the page of an entity the user may not read (the catalog answers as if
 * it did not exist), offers "Ask the owners for access". The catalog's entity
 * page has no slot for its not-found state, so this is rendered beside the
 * app's routes and shows itself only there.
 */
export function HiddenEntityAccessRequest(props: {
  /** What happens once the entity can be read; the catalog's page shows it after a reload. */
  onReadable?: () => void;
}) {
  const { onReadable = reloadPage } = props;
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
  const isReadable = useCallback(
    async () =>
      entityRef !== undefined &&
      (await catalogApi.getEntityByRef(entityRef)) !== undefined,
    [catalogApi, entityRef],
  );
  useRecheckUntilReadable(isReadable, hidden === true, onReadable);
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
      <Typography variant="body2" color="textSecondary" paragraph>
        Just created it? The catalog may still be processing it: this page opens
        it as soon as you can read it.
      </Typography>
      <AskForAccess entityRef={entityRef} />
    </Paper>
  );
}
