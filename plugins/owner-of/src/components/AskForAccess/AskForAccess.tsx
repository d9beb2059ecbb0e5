import { useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ownerOfApiRef } from '../../api';

/** The longest reason the access request backend accepts. */
const MAX_REASON_LENGTH = 500;

type Outcome = { ok: boolean; message: string };

/**
 * "Ask the owners for access": a short reason, sent to the access request
 * backend, which notifies the entity's owning team. The answer is the same
 * whether or not the entity exists.
 */
export function AskForAccess(props: {
  entityRef: string;
  /** Catalog permissions asked for; read by default. */
  permissions?: string[];
  label?: string;
}) {
  const { entityRef, permissions, label = 'Ask the owners for access' } = props;
  const ownerOfApi = useApi(ownerOfApiRef);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const send = async () => {
    setSending(true);
    try {
      const { message } = await ownerOfApi.requestAccess({
        entityRef,
        permissions,
        reason,
      });
      setOutcome({ ok: true, message });
      setOpen(false);
      setReason('');
    } catch (error) {
      setOutcome({
        ok: false,
        message: ResponseError.is(error)
          ? error.body.error.message
          : String(error),
      });
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <Button
        variant="contained"
        color="primary"
        onClick={() => {
          setOutcome(undefined);
          setOpen(true);
        }}
      >
        {label}
      </Button>
      {outcome && (
        <Typography
          role="status"
          variant="body2"
          color={outcome.ok ? 'textPrimary' : 'error'}
          style={{ marginTop: 8 }}
        >
          {outcome.message}
        </Typography>
      )}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        aria-labelledby="ask-for-access-title"
        fullWidth
      >
        <DialogTitle id="ask-for-access-title">{label}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            The team that owns {entityRef} gets a notification with your name,
            your reason and the grant annotation that would give you access.
          </Typography>
          <TextField
            id="ask-for-access-reason"
            label="Why do you need access?"
            value={reason}
            onChange={event => setReason(event.target.value)}
            inputProps={{ maxLength: MAX_REASON_LENGTH }}
            helperText={`${reason.length}/${MAX_REASON_LENGTH}`}
            multiline
            minRows={2}
            fullWidth
          />
          {outcome && !outcome.ok && (
            <Typography role="alert" variant="body2" color="error">
              {outcome.message}
            </Typography>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            disabled={sending || reason.trim().length === 0}
            onClick={send}
          >
            Send request
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
