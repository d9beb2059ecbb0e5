import { useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { UnregisterPlan } from '@portico/plugin-owner-of-common';
import { ownerOfApiRef } from '../../api';

/**
 * Asks the catalog what unregistering the entity would remove and whether the user may, says so
 * plainly, and unregisters on confirmation. `onDone` runs after a successful removal.
 */
export function UnregisterDialog(props: {
  entityRef: string;
  onClose: () => void;
  onDone: (plan: UnregisterPlan) => void;
}) {
  const { entityRef, onClose, onDone } = props;
  const ownerOfApi = useApi(ownerOfApiRef);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error>();

  const plan = useAsync(
    () => ownerOfApi.getUnregisterPlan(entityRef),
    [ownerOfApi, entityRef],
  );

  const unregister = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      onDone(await ownerOfApi.unregister(entityRef));
    } catch (error) {
      setFailure(error as Error);
      setBusy(false);
    }
  };

  const value = plan.value;
  return (
    <Dialog open onClose={onClose} aria-labelledby="unregister-title">
      <DialogTitle id="unregister-title">Unregister {entityRef}?</DialogTitle>
      <DialogContent>
        {plan.loading && <Progress />}
        {plan.error && <ResponseErrorPanel error={plan.error} />}
        {value?.removes === 'location' && (
          <>
            <Typography paragraph>
              This removes the location <code>{value.location}</code> and every
              entity it defines from the catalog:
            </Typography>
            <ul data-testid="unregister-entities">
              {value.entityRefs.map(ref => (
                <li key={ref}>
                  <code>{ref}</code>
                </li>
              ))}
            </ul>
            <Typography variant="body2" color="textSecondary">
              The files at that location are not changed; registering it again
              brings the entities back.
            </Typography>
          </>
        )}
        {value?.removes === 'entity' && (
          <Typography paragraph>{value.reason}.</Typography>
        )}
        {value && !value.allowed && (
          <Typography paragraph data-testid="unregister-refused">
            This cannot be unregistered by you: {value.reason}.
          </Typography>
        )}
        {failure && <ResponseErrorPanel error={failure} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          {value?.allowed ? 'Cancel' : 'Close'}
        </Button>
        {value?.allowed && (
          <Button
            color="secondary"
            variant="contained"
            onClick={unregister}
            disabled={busy}
          >
            {value.removes === 'location' ? 'Unregister' : 'Delete entity'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
