import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  ACCESS_ACTIONS,
  AccessAction,
  AccessHolder,
  EntityAccess,
} from '@portico/plugin-owner-of-common';
import { isHiddenFromCaller, ownerOfApiRef } from '../../api';
import { MyAccess } from './MyAccess';
import {
  holderInheritance,
  holderReason,
  holderSubject,
} from './describeHolder';

const ACTION_TITLES: Record<AccessAction, string> = {
  read: 'Read',
  delete: 'Delete',
  refresh: 'Refresh',
};

function ActionTable(props: { action: AccessAction; holders: AccessHolder[] }) {
  const { action, holders } = props;
  const title = ACTION_TITLES[action];
  return (
    <Box mb={2}>
      <Typography variant="h6" component="h3">
        {title}
      </Typography>
      <Table size="small" aria-label={`${title} access`}>
        <TableHead>
          <TableRow>
            <TableCell>Subject</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Also applies to</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {holders.length === 0 && (
            <TableRow>
              <TableCell colSpan={3}>Admins only</TableCell>
            </TableRow>
          )}
          {holders.map((holder, index) => (
            <TableRow key={index}>
              <TableCell>{holderSubject(holder)}</TableCell>
              <TableCell>{holderReason(holder)}</TableCell>
              <TableCell>{holderInheritance(holder)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/**
 * Who may read, delete and refresh the current entity, and why: the whole
 * table for admins and members of the entity's owner; everyone else sees
 * their own access, and may ask the owners for what they lack.
 */
export function EntityAccessCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const ownerOfApi = useApi(ownerOfApiRef);
  const { loading, value, error } = useAsync(
    () => ownerOfApi.getAccess(entityRef),
    [ownerOfApi, entityRef],
  );

  // Only admins and members of the owner see the table; everyone else, their own access.
  if (isHiddenFromCaller(error)) {
    return <MyAccess entityRef={entityRef} asCard />;
  }
  return (
    <InfoCard title="Access">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <AccessTables access={value} entityRef={entityRef} />}
    </InfoCard>
  );
}

function AccessTables(props: { access: EntityAccess; entityRef: string }) {
  const { access, entityRef } = props;
  return (
    <>
      <MyAccess entityRef={entityRef} />
      {access.grantProblems.length > 0 && (
        <Box mb={2}>
          <WarningPanel
            title={`${access.grantProblems.length} grant annotation problem(s)`}
            defaultExpanded
          >
            <ul>
              {access.grantProblems.map(problem => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </WarningPanel>
        </Box>
      )}
      {ACCESS_ACTIONS.map(action => (
        <ActionTable
          key={action}
          action={action}
          holders={access.actions[action]}
        />
      ))}
    </>
  );
}
