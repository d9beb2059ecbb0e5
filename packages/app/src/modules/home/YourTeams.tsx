import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  EntityRefLink,
  EntityRefLinks,
} from '@backstage/plugin-catalog-react';
import {
  Entity,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';

/** The signed-in user's teams, and the software owned by them or by the user. */
export const YourTeams = () => {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    const { userEntityRef } = await identityApi.getBackstageIdentity();
    const user = await catalogApi.getEntityByRef(userEntityRef);
    const teams = (user?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
    const { items } = await catalogApi.getEntities({
      filter: { 'relations.ownedBy': [userEntityRef, ...teams] },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.title',
        'spec.type',
      ],
    });
    return { teams, owned: items };
  }, [identityApi, catalogApi]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const { teams = [], owned = [] } = value ?? {};
  const byKind = new Map<string, Entity[]>();
  for (const entity of owned) {
    byKind.set(entity.kind, [...(byKind.get(entity.kind) ?? []), entity]);
  }
  return (
    <>
      <Typography variant="body1" paragraph>
        {teams.length > 0 ? (
          <>
            You are in <EntityRefLinks entityRefs={teams} defaultKind="group" />
            .
          </>
        ) : (
          'You are in no team yet.'
        )}
      </Typography>
      {owned.length === 0 && (
        <Typography variant="body2">
          Your teams own nothing in the catalog yet: create something from a
          template.
        </Typography>
      )}
      {[...byKind].map(([kind, entities]) => (
        <div key={kind}>
          <Typography variant="subtitle2">
            {kind} ({entities.length})
          </Typography>
          <ul>
            {entities.map(entity => (
              <li key={stringifyEntityRef(entity)}>
                <EntityRefLink entityRef={entity} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </>
  );
};
