import { mockApis } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { OwnerOfClient, isHiddenFromCaller } from './OwnerOfClient';

type Answer = { status: number; body: unknown };

/** A fetch that answers every request with the given status and JSON body. */
function fakeFetch(answer: Answer) {
  return jest.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => {
    const { status, body } = answer;
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: String(status),
      headers: new Map([['content-type', 'application/json']]),
      json: async () => body,
      text: async () => JSON.stringify(body),
    } as unknown as Response;
  });
}

function client(answer: Answer) {
  const fetch = fakeFetch(answer);
  return {
    fetch,
    client: new OwnerOfClient({
      discoveryApi: mockApis.discovery({ baseUrl: 'http://portico' }),
      fetchApi: { fetch },
    }),
  };
}

const ok = { status: 200, body: { answer: 42 } };

describe('OwnerOfClient', () => {
  it('GETs the owner-of endpoints of the permission and catalog plugins', async () => {
    const { client: c, fetch } = client(ok);
    const ref = 'component:default/payment-gateway';
    const taskId = '0f6b2c9e-4c1a-4d7e-9a35-2b8f0c6d1e77';
    expect(await c.getAccess(ref)).toEqual({ answer: 42 });
    expect(await c.explainEntity(ref)).toEqual({ answer: 42 });
    expect(await c.explainTask(taskId)).toEqual({ answer: 42 });
    expect(await c.getUnregisterPlan(ref)).toEqual({ answer: 42 });
    expect(fetch.mock.calls).toEqual([
      [
        'http://portico/api/permission/owner-of/access?entityRef=component%3Adefault%2Fpayment-gateway',
      ],
      [
        'http://portico/api/permission/owner-of/explain?entityRef=component%3Adefault%2Fpayment-gateway',
      ],
      [`http://portico/api/permission/owner-of/explain?taskId=${taskId}`],
      [
        'http://portico/api/catalog/owner-of/unregister?entityRef=component%3Adefault%2Fpayment-gateway',
      ],
    ]);
  });

  it('POSTs unregistering and access requests as JSON', async () => {
    const { client: c, fetch } = client(ok);
    await c.unregister('component:default/payment-gateway');
    await c.requestAccess({
      entityRef: 'component:default/payment-gateway',
      permissions: ['catalog.entity.refresh'],
      reason: 'I rotate its keys',
    });
    const posts = fetch.mock.calls.map(([url, init]) => ({
      url,
      method: init?.method,
      contentType: (init?.headers as Record<string, string>)['content-type'],
      body: JSON.parse(String(init?.body)),
    }));
    expect(posts).toEqual([
      {
        url: 'http://portico/api/catalog/owner-of/unregister',
        method: 'POST',
        contentType: 'application/json',
        body: { entityRef: 'component:default/payment-gateway' },
      },
      {
        url: 'http://portico/api/access-request/requests',
        method: 'POST',
        contentType: 'application/json',
        body: {
          entityRef: 'component:default/payment-gateway',
          permissions: ['catalog.entity.refresh'],
          reason: 'I rotate its keys',
        },
      },
    ]);
  });

  it.each([
    [401, true],
    [403, true],
    [404, true],
    [500, false],
  ])(
    'rejects an answer %d with a ResponseError, hidden from the caller: %p',
    async (status, hidden) => {
      const { client: c } = client({
        status,
        body: { error: { name: 'Error', message: 'no' } },
      });
      const error = await c
        .getAccess('component:default/payment-gateway')
        .catch(e => e);
      expect(ResponseError.is(error)).toBe(true);
      expect(error.statusCode).toBe(status);
      expect(error.message).toBe(`Request failed with ${status} ${status}`);
      expect(isHiddenFromCaller(error)).toBe(hidden);
    },
  );

  it('does not take other failures for hidden answers', () => {
    expect(isHiddenFromCaller(new Error('network down'))).toBe(false);
    expect(isHiddenFromCaller(undefined)).toBe(false);
  });
});
