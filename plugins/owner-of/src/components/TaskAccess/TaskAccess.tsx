import { useState } from 'react';
import { useLocation } from 'react-router-dom';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { ownerOfApiRef } from '../../api';

/** The scaffolder's task page, `/create/tasks/<uuid>`, wherever the app mounts it. */
const TASK_PAGE =
  /\/tasks\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

function TaskAccessPanel(props: { taskId: string }) {
  const [closed, setClosed] = useState(false);
  const ownerOfApi = useApi(ownerOfApiRef);
  const { value } = useAsync(
    () => ownerOfApi.explainTask(props.taskId),
    [ownerOfApi, props.taskId],
  );
  // Nothing for a task the user may not read: the scaffolder's page already says so.
  if (closed || !value) return null;
  const { visibleTo, actions } = value;
  return (
    <Paper
      elevation={6}
      role="complementary"
      aria-label="Access to this task"
      data-testid="task-access"
      style={{
        position: 'fixed',
        bottom: 24,
        right: 24,
        padding: 16,
        zIndex: 1200,
        maxWidth: 480,
      }}
    >
      <Typography variant="subtitle2" component="h2">
        Access to this task
      </Typography>
      <Typography variant="body2" paragraph>
        This task, its parameters and its log are visible to {visibleTo}.
      </Typography>
      {(['read', 'cancel'] as const).map(action => (
        <Typography key={action} variant="body2">
          {action}: {actions[action].allowed ? 'allowed' : 'refused'} —{' '}
          {actions[action].reason}
        </Typography>
      ))}
      <Button size="small" onClick={() => setClosed(true)}>
        Hide
      </Button>
    </Paper>
  );
}

/**
 * On a scaffolder task's page, who may see and cancel the task and why, from the owner-of
 * explain endpoint. The scaffolder's task page has no slot for cards, so this is rendered beside
 * the app's routes and shows itself only there.
 */
export function TaskAccess() {
  const { pathname } = useLocation();
  const taskId = TASK_PAGE.exec(pathname)?.[1];
  // Keyed by task, so moving to another task shows its panel again.
  return taskId ? <TaskAccessPanel key={taskId} taskId={taskId} /> : null;
}
