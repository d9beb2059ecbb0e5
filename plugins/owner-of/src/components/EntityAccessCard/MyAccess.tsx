import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ACCESS_ACTIONS } from '@portico/plugin-owner-of-common';
import { MyAccessExplanation } from '../../api/types';
import { useOwnerOfEndpoint } from '../../api/useOwnerOfEndpoint';

/**
 * The signed-in user's own access to the entity, with the explain
 * endpoint's reason for each action. Shows nothing until it has an answer.
 */
export function MyAccess(props: { entityRef: string }) {
  const state = useOwnerOfEndpoint<MyAccessExplanation>(
    'explain',
    props.entityRef,
  );
  if (state.status !== 'loaded') {
    return null;
  }
  const { userRef, actions, template } = state.value;
  return (
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
    </Box>
  );
}
