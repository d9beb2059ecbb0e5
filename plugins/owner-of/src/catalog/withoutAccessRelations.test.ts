import {
  stripAccessRelations,
  withoutAccessRelations,
} from './withoutAccessRelations';

const entity = () => ({
  kind: 'Component',
  metadata: { name: 'payment-gateway' },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/payments-team' },
    { type: 'readableBy', targetRef: 'group:default/sre-team' },
    { type: 'readableBy', targetRef: 'owner-of.kind:default/component' },
    { type: 'deletableBy', targetRef: 'group:default/payments-team' },
    { type: 'refreshableBy', targetRef: 'group:default/payments-team' },
  ],
});

describe('stripAccessRelations', () => {
  it('keeps the catalog relations and drops the access relations', () => {
    const single = entity();
    stripAccessRelations(single);
    expect(single.relations).toEqual([
      { type: 'ownedBy', targetRef: 'group:default/payments-team' },
    ]);
  });

  it('handles list answers with missing entries', () => {
    const list = { items: [entity(), null, entity()], totalItems: 2 };
    stripAccessRelations(list);
    expect(list.items[0]!.relations).toHaveLength(1);
    expect(list.items[1]).toBeNull();
    expect(list.totalItems).toBe(2);
  });
});

describe('withoutAccessRelations', () => {
  it('rewrites JSON answers and passes others through untouched', async () => {
    const json = new Response(JSON.stringify(entity()), {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    const text = new Response('plain', {
      status: 200,
      headers: { 'content-type': 'text/plain' },
    });
    const failure = new Response('{"error":{}}', {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
    const inner = { fetch: jest.fn() };
    inner.fetch
      .mockResolvedValueOnce(json)
      .mockResolvedValueOnce(text)
      .mockResolvedValueOnce(failure);
    const fetchApi = withoutAccessRelations(inner);

    const rewritten = await fetchApi.fetch(
      'http://localhost/api/catalog/entities/by-name/x',
    );
    expect(rewritten.status).toBe(200);
    expect((await rewritten.json()).relations).toEqual([
      { type: 'ownedBy', targetRef: 'group:default/payments-team' },
    ]);
    expect(await fetchApi.fetch('http://localhost/other')).toBe(text);
    expect(await fetchApi.fetch('http://localhost/missing')).toBe(failure);
  });
});
