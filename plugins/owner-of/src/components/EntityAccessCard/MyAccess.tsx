import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  ACCESS_ACTIONS,
  ENTITY_PERMISSIONS,
} from '@portico/plugin-owner-of-common';
import { ownerOfApiRef } from '../../api';
import { AskForAccess } from '../AskForAccess';

/** The actions a reader may lack and ask for, in the order they are asked. */
const ASKABLE = ['refresh', 'delete'] as const;

/**
 * The signed-in user's own access to the entity, with the explain
 * endpoint's reason for each action, and "Ask the owners for more access"
 * when they may read but not refresh or delete it. Shows nothing until it
 * has an answer; `asCard` shows it as the Access card of its own.
 */
export function MyAccess(props: { entityRef: string; asCard?: boolean }) {
  const ownerOfApi = useApi(ownerOfApiRef);
  const { value } = useAsync(
    () => ownerOfApi.explainEntity(props.entityRef),
    [ownerOfApi, props.entityRef],
  );
  // Nothing while loading, nor when the explain endpoint does not answer (an entity the user
  // may not read) or fails.
  if (!value) {
    return null;
  }
  const { userRef, actions, template } = value;
  const lacking = ASKABLE.filter(action => !actions[action].allowed).map(
    action => ENTITY_PERMISSIONS[action].name,
  );
  const content = (
    <Box mb={2} data-testid="my-access">
      <Typography variant="h6" component="h3">
        Your access ({userRef})
      </Typography>
      {ACCESS_ACTIONS.map(action => (
        <Typography key={action} variant="body2">
          {action}: {actions[action].allowed ? 'allowed' : 'refused'} —{' '}
          {actions[action].reason}
        </Typography>
      ))}
      {template && (
        <>
          <Typography variant="body2" data-testid="my-access-run">
            run: {template.run.allowed ? 'allowed' : 'refused'} —{' '}
            {template.run.reason}
          </Typography>
          <Typography variant="body2" data-testid="my-access-tasks">
            runs: {template.tasks}
          </Typography>
        </>
      )}
      {actions.read.allowed && lacking.length > 0 && (
        <Box mt={1}>
          <AskForAccess
            entityRef={props.entityRef}
            permissions={lacking}
            label="Ask the owners for more access"
          />
        </Box>
      )}
    </Box>
  );
  return props.asCard ? <InfoCard title="Access">{content}</InfoCard> : content;
}
