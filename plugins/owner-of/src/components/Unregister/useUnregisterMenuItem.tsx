import {
  alertApiRef,
  dialogApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEntityPermission } from '@backstage/plugin-catalog-react/alpha';
import { useNavigate } from 'react-router-dom';
import { catalogIndexRouteRef } from '../../routes';
import { UnregisterDialog } from './UnregisterDialog';

/**
 * The entity menu's "Unregister entity": enabled for users who may delete the entity; the
 * dialog then says what goes and whether they may remove it (see UnregisterDialog).
 */
export function useUnregisterMenuItem() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const dialogApi = useApi(dialogApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const catalogIndex = useRouteRef(catalogIndexRouteRef);
  const mayDelete = useEntityPermission(catalogEntityDeletePermission);
  return {
    title: 'Unregister entity',
    disabled: !mayDelete.allowed,
    onClick: async () => {
      dialogApi.open(({ dialog }) => (
        <UnregisterDialog
          entityRef={entityRef}
          onClose={() => dialog.close()}
          onDone={plan => {
            dialog.close();
            alertApi.post({
              message: `Unregistered ${plan.entityRefs.join(', ')}`,
              severity: 'success',
              display: 'transient',
            });
            navigate(catalogIndex ? catalogIndex() : '/');
          }}
        />
      ));
    },
  };
}
