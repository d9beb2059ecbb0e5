import { coalesceConcurrentReads } from './coalesceConcurrentReads';

/** A fetch whose answers arrive when the test releases them. */
function controlledFetch() {
  const calls: {
    url: string;
    init?: RequestInit;
    answer: (r: Response) => void;
    fail: (e: Error) => void;
  }[] = [];
  const fetchApi = {
    fetch: jest.fn(
      (input: any, init?: RequestInit) =>
        new Promise<Response>((resolve, reject) =>
          calls.push({
            url: String(input),
            init,
            answer: resolve,
            fail: reject,
          }),
        ),
    ),
  };
  return { fetchApi, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const url = 'http://localhost/api/catalog/entity-facets?facet=kind';
const headers = { 'Content-Type': 'application/json' };

describe('coalesceConcurrentReads', () => {
  it('sends identical concurrent reads once and gives each caller its own answer', async () => {
    const { fetchApi, calls } = controlledFetch();
    const coalesced = coalesceConcurrentReads(fetchApi);
    const first = coalesced.fetch(url, { method: 'GET', headers });
    const second = coalesced.fetch(url, { method: 'GET', headers });
    await Promise.resolve();
    expect(fetchApi.fetch).toHaveBeenCalledTimes(1);

    calls[0].answer(
      json({ facets: { kind: [{ value: 'Component', count: 3 }] } }),
    );
    const [a, b] = await Promise.all([first, second]);
    expect(a).not.toBe(b);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/json');
    // Each body can be read on its own.
    expect(await a.json()).toEqual({
      facets: { kind: [{ value: 'Component', count: 3 }] },
    });
    expect(await b.json()).toEqual({
      facets: { kind: [{ value: 'Component', count: 3 }] },
    });
  });

  it('keeps nothing once the answer has arrived', async () => {
    const { fetchApi, calls } = controlledFetch();
    const coalesced = coalesceConcurrentReads(fetchApi);
    const first = coalesced.fetch(url, { headers });
    await Promise.resolve();
    calls[0].answer(json({ n: 1 }));
    expect(await (await first).json()).toEqual({ n: 1 });

    const later = coalesced.fetch(url, { headers });
    await Promise.resolve();
    expect(fetchApi.fetch).toHaveBeenCalledTimes(2);
    calls[1].answer(json({ n: 2 }));
    expect(await (await later).json()).toEqual({ n: 2 });
  });

  it('sends reads with other URLs or headers, writes and abortable reads separately', async () => {
    const { fetchApi } = controlledFetch();
    const coalesced = coalesceConcurrentReads(fetchApi);
    coalesced.fetch(url, { headers });
    coalesced.fetch(`${url}&filter=kind=component`, { headers });
    coalesced.fetch(url, {
      headers: { ...headers, Authorization: 'Bearer other' },
    });
    coalesced.fetch(url, { method: 'POST', headers, body: '{}' });
    coalesced.fetch(url, { method: 'POST', headers, body: '{}' });
    coalesced.fetch(url, { headers, signal: new AbortController().signal });
    await Promise.resolve();
    expect(fetchApi.fetch).toHaveBeenCalledTimes(6);
  });

  it('hands a failure to every waiting caller and tries again on the next read', async () => {
    const { fetchApi, calls } = controlledFetch();
    const coalesced = coalesceConcurrentReads(fetchApi);
    const first = coalesced.fetch(url, { headers });
    const second = coalesced.fetch(url, { headers });
    await Promise.resolve();
    calls[0].fail(new TypeError('network down'));
    await expect(first).rejects.toThrow('network down');
    await expect(second).rejects.toThrow('network down');

    const retry = coalesced.fetch(url, { headers });
    await Promise.resolve();
    expect(fetchApi.fetch).toHaveBeenCalledTimes(2);
    calls[1].answer(json({ ok: true }));
    expect((await retry).status).toBe(200);
  });

  it('passes on error statuses and answers without a body', async () => {
    const { fetchApi, calls } = controlledFetch();
    const coalesced = coalesceConcurrentReads(fetchApi);
    const missing = coalesced.fetch(url, { headers });
    const empty = coalesced.fetch(`${url}&x=1`, { headers });
    await Promise.resolve();
    calls[0].answer(json({ error: { name: 'NotFoundError' } }, 404));
    calls[1].answer(new Response(null, { status: 204 }));
    expect((await missing).status).toBe(404);
    expect(await (await missing).json()).toEqual({
      error: { name: 'NotFoundError' },
    });
    expect((await empty).status).toBe(204);
    expect(await (await empty).text()).toBe('');
  });
});
