import { isSecondaryRead, limitSecondaryReads } from './limitSecondaryReads';

function controlledFetch() {
  const pending: { url: string; answer: () => void }[] = [];
  const fetchApi = {
    fetch: jest.fn(
      (input: any) =>
        new Promise<Response>(resolve =>
          pending.push({
            url: String(input),
            answer: () => resolve(new Response('{}', { status: 200 })),
          }),
        ),
    ),
  };
  return { fetchApi, pending };
}

const base = 'http://localhost/api/catalog';
const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('isSecondaryRead', () => {
  it('counts facets and counts, not pages or lookups', () => {
    expect(isSecondaryRead(`${base}/entity-facets?facet=kind`)).toBe(true);
    expect(
      isSecondaryRead(
        `${base}/entities/by-query?limit=0&filter=kind=component`,
      ),
    ).toBe(true);
    expect(
      isSecondaryRead(
        `${base}/entities/by-query?limit=20&filter=kind=component`,
      ),
    ).toBe(false);
    expect(isSecondaryRead(`${base}/entities/by-query`)).toBe(false);
    expect(isSecondaryRead(`${base}/entities/by-refs`)).toBe(false);
    expect(
      isSecondaryRead(`${base}/entities/by-name/component/default/x`),
    ).toBe(false);
  });
});

describe('limitSecondaryReads', () => {
  it('keeps two facets or counts in flight and never holds back the page', async () => {
    const { fetchApi, pending } = controlledFetch();
    const limited = limitSecondaryReads(fetchApi, 2);
    const facets = ['kind', 'spec.type', 'spec.lifecycle', 'metadata.tags'].map(
      facet => limited.fetch(`${base}/entity-facets?facet=${facet}`),
    );
    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    await tick();
    const sent = () => pending.map(p => p.url).sort();
    const answer = (url: string) => pending.find(p => p.url === url)!.answer();
    expect(sent()).toEqual(
      [
        `${base}/entities/by-query?limit=20`,
        `${base}/entity-facets?facet=kind`,
        `${base}/entity-facets?facet=spec.type`,
      ].sort(),
    );

    answer(`${base}/entities/by-query?limit=20`);
    expect((await page).status).toBe(200);
    // Answering one facet lets the next one go.
    answer(`${base}/entity-facets?facet=kind`);
    await facets[0];
    await tick();
    expect(sent()).toContain(`${base}/entity-facets?facet=spec.lifecycle`);
    expect(sent()).not.toContain(`${base}/entity-facets?facet=metadata.tags`);
    answer(`${base}/entity-facets?facet=spec.type`);
    await tick();
    expect(pending).toHaveLength(5);
    answer(`${base}/entity-facets?facet=spec.lifecycle`);
    answer(`${base}/entity-facets?facet=metadata.tags`);
    await Promise.all(facets);
  });

  it('frees the slot when a read fails', async () => {
    const failing = {
      fetch: jest
        .fn()
        .mockRejectedValueOnce(new TypeError('network down'))
        .mockResolvedValue(new Response('{}')),
    };
    const limited = limitSecondaryReads(failing, 1);
    await expect(
      limited.fetch(`${base}/entity-facets?facet=kind`),
    ).rejects.toThrow('network down');
    expect(
      (await limited.fetch(`${base}/entity-facets?facet=kind`)).status,
    ).toBe(200);
  });
});
