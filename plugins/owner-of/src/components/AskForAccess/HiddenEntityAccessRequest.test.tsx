import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { screen, waitFor } from '@testing-library/react';
import { OwnerOfApi, ownerOfApiRef } from '../../api';
import {
  HiddenEntityAccessRequest,
  RECHECK_FOR_MS,
  RECHECK_INTERVAL_MS,
} from './HiddenEntityAccessRequest';

const entityRef = 'component:default/old-runbooks';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'old-runbooks' },
};

/** A catalog that answers "not found" `hiddenFor` times, then returns the entity. */
function catalogReadableAfter(hiddenFor: number) {
  let calls = 0;
  const getEntityByRef = jest.fn(async (ref: string) => {
    calls += 1;
    return ref === entityRef && calls > hiddenFor ? entity : undefined;
  });
  return { getEntityByRef };
}

async function renderAt(
  path: string,
  catalog: ReturnType<typeof catalogReadableAfter>,
  onReadable: () => void,
) {
  await renderInTestApp(<HiddenEntityAccessRequest onReadable={onReadable} />, {
    initialRouteEntries: [path],
    apis: [
      [catalogApiRef, catalog as any],
      [ownerOfApiRef, {} as OwnerOfApi],
    ],
  });
}

describe('HiddenEntityAccessRequest', () => {
  beforeEach(() => jest.useFakeTimers({ advanceTimers: true }));
  afterEach(() => jest.useRealTimers());

  it('says the entity is not visible, then opens it once the catalog has processed it', async () => {
    const catalog = catalogReadableAfter(2);
    const onReadable = jest.fn();
    await renderAt(
      '/catalog/default/component/old-runbooks',
      catalog,
      onReadable,
    );

    expect(await screen.findByText(/You cannot see/)).toBeInTheDocument();
    expect(screen.getByText(entityRef)).toBeInTheDocument();
    expect(screen.getByText(/Just created it\?/)).toBeInTheDocument();
    expect(onReadable).not.toHaveBeenCalled();

    // The second look-up still finds nothing; the third finds the entity.
    await jest.advanceTimersByTimeAsync(RECHECK_INTERVAL_MS);
    expect(onReadable).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(RECHECK_INTERVAL_MS);
    await waitFor(() => expect(onReadable).toHaveBeenCalledTimes(1));

    // Once readable it stops asking.
    const calls = catalog.getEntityByRef.mock.calls.length;
    await jest.advanceTimersByTimeAsync(5 * RECHECK_INTERVAL_MS);
    expect(catalog.getEntityByRef.mock.calls.length).toBe(calls);
  });

  it('stops asking after a while for an entity that stays hidden', async () => {
    const catalog = catalogReadableAfter(Number.POSITIVE_INFINITY);
    const onReadable = jest.fn();
    await renderAt(
      '/catalog/default/component/old-runbooks',
      catalog,
      onReadable,
    );
    expect(await screen.findByText(/You cannot see/)).toBeInTheDocument();

    await jest.advanceTimersByTimeAsync(RECHECK_FOR_MS + RECHECK_INTERVAL_MS);
    const calls = catalog.getEntityByRef.mock.calls.length;
    expect(calls).toBeLessThanOrEqual(2 + RECHECK_FOR_MS / RECHECK_INTERVAL_MS);
    await jest.advanceTimersByTimeAsync(10 * RECHECK_INTERVAL_MS);
    expect(catalog.getEntityByRef.mock.calls.length).toBe(calls);
    expect(onReadable).not.toHaveBeenCalled();
  });

  it('shows nothing and asks nothing on pages that are not entity pages', async () => {
    const catalog = catalogReadableAfter(Number.POSITIVE_INFINITY);
    await renderAt('/create', catalog, jest.fn());
    await jest.advanceTimersByTimeAsync(3 * RECHECK_INTERVAL_MS);
    expect(screen.queryByText(/You cannot see/)).not.toBeInTheDocument();
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();
  });
});
