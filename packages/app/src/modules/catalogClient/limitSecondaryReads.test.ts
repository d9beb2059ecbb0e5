import {
  afterNextPaint,
  isListRead,
  isSecondaryRead,
  limitSecondaryReads,
} from './limitSecondaryReads';

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
  const sent = () => pending.map(p => p.url);
  const answer = (url: string) => pending.find(p => p.url === url)!.answer();
  return { fetchApi, pending, sent, answer };
}

/** An `afterListShown` that resolves when the test says the rows have been painted. */
function controlledPaint() {
  let paint: () => void = () => {};
  return {
    afterListShown: () =>
      new Promise<void>(resolve => {
        paint = resolve;
      }),
    showRows: () => paint(),
  };
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

describe('isListRead', () => {
  it('counts pages and the whole list, not counts or lookups', () => {
    expect(isListRead(`${base}/entities/by-query?limit=20`, 'GET')).toBe(true);
    expect(isListRead(`${base}/entities/by-query`, 'POST')).toBe(true);
    expect(isListRead(`${base}/entities?filter=kind=component`, 'GET')).toBe(
      true,
    );
    expect(isListRead(`${base}/entities/by-query?limit=0`, 'GET')).toBe(false);
    expect(isListRead(`${base}/entities/by-refs`, 'POST')).toBe(false);
    expect(isListRead(`${base}/entity-facets?facet=kind`, 'GET')).toBe(false);
  });
});

describe('afterNextPaint', () => {
  afterEach(() => jest.restoreAllMocks());

  it('waits for two animation frames, then for the task after the paint', async () => {
    const frames: FrameRequestCallback[] = [];
    jest
      .spyOn(window, 'requestAnimationFrame')
      .mockImplementation(callback => frames.push(callback));
    let painted = false;
    const done = afterNextPaint(10_000).then(() => {
      painted = true;
    });
    await tick();
    expect(painted).toBe(false);
    frames.shift()!(0);
    await tick();
    expect(painted).toBe(false);
    frames.shift()!(16);
    await done;
    expect(painted).toBe(true);
  });

  it('does not wait for frames a hidden document never gets', async () => {
    jest.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const frame = jest.spyOn(window, 'requestAnimationFrame');
    await afterNextPaint();
    expect(frame).not.toHaveBeenCalled();
  });

  it('gives up on frames after the fallback', async () => {
    jest.spyOn(window, 'requestAnimationFrame').mockImplementation(() => 0);
    await expect(afterNextPaint(5)).resolves.toBeUndefined();
  });
});

describe('limitSecondaryReads', () => {
  it('keeps two facets or counts in flight and never holds back the page', async () => {
    const { fetchApi, pending, sent, answer } = controlledFetch();
    const limited = limitSecondaryReads(fetchApi, {
      concurrency: 2,
      afterListShown: () => Promise.resolve(),
      firstListHoldMs: 0,
    });
    const facets = ['kind', 'spec.type', 'spec.lifecycle', 'metadata.tags'].map(
      facet => limited.fetch(`${base}/entity-facets?facet=${facet}`),
    );
    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    await tick();
    expect(sent().sort()).toEqual(
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
    const limited = limitSecondaryReads(failing, {
      concurrency: 1,
      firstListHoldMs: 0,
    });
    await expect(
      limited.fetch(`${base}/entity-facets?facet=kind`),
    ).rejects.toThrow('network down');
    expect(
      (await limited.fetch(`${base}/entity-facets?facet=kind`)).status,
    ).toBe(200);
  });
});

describe('limitSecondaryReads while a list is loading', () => {
  it('sends facets asked for during a page only after its rows are shown', async () => {
    const { fetchApi, pending, sent } = controlledFetch();
    const { afterListShown, showRows } = controlledPaint();
    const limited = limitSecondaryReads(fetchApi, {
      afterListShown,
    });
    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    const facet = limited.fetch(`${base}/entity-facets?facet=spec.lifecycle`);
    const lookup = limited.fetch(`${base}/entities/by-refs`, {
      method: 'POST',
    });
    await tick();
    // The lookup of owners' names is not a filter's read: it goes at once.
    expect(sent()).toEqual([
      `${base}/entities/by-query?limit=20`,
      `${base}/entities/by-refs`,
    ]);

    pending[0].answer();
    await page;
    await tick();
    expect(sent()).toHaveLength(2);

    showRows();
    await tick();
    expect(sent()).toContain(`${base}/entity-facets?facet=spec.lifecycle`);
    pending.forEach(p => p.answer());
    await Promise.all([facet, lookup]);
  });

  it('also holds facets that were waiting for a slot when the page went out', async () => {
    const { fetchApi, pending, sent, answer } = controlledFetch();
    const { afterListShown, showRows } = controlledPaint();
    const limited = limitSecondaryReads(fetchApi, {
      concurrency: 1,
      firstListHoldMs: 0,
      afterListShown,
    });
    const first = limited.fetch(`${base}/entity-facets?facet=kind`);
    const queued = limited.fetch(`${base}/entity-facets?facet=metadata.tags`);
    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    await tick();
    expect(sent().sort()).toEqual([
      `${base}/entities/by-query?limit=20`,
      `${base}/entity-facets?facet=kind`,
    ]);
    answer(`${base}/entity-facets?facet=kind`);
    await first;
    await tick();
    expect(sent()).toHaveLength(2);
    answer(`${base}/entities/by-query?limit=20`);
    await page;
    showRows();
    await tick();
    expect(sent()).toContain(`${base}/entity-facets?facet=metadata.tags`);
    pending[2].answer();
    await queued;
  });

  it('waits for every list in flight', async () => {
    const { fetchApi, pending } = controlledFetch();
    const limited = limitSecondaryReads(fetchApi, {
      afterListShown: () => Promise.resolve(),
    });
    const lists = [
      limited.fetch(`${base}/entities/by-query?limit=20`),
      limited.fetch(`${base}/entities?filter=kind=api`),
    ];
    const count = limited.fetch(`${base}/entities/by-query?limit=0`);
    await tick();
    pending[0].answer();
    await lists[0];
    await tick();
    expect(pending).toHaveLength(2);
    pending[1].answer();
    await lists[1];
    await tick();
    expect(pending.map(p => p.url)).toContain(
      `${base}/entities/by-query?limit=0`,
    );
    pending[2].answer();
    await count;
  });

  it('sends a facet anyway once the list has taken longer than the hold', async () => {
    const { fetchApi, pending } = controlledFetch();
    const limited = limitSecondaryReads(fetchApi, {
      maxHoldMs: 5,
      firstListHoldMs: 5,
    });
    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    const facet = limited.fetch(`${base}/entity-facets?facet=kind`);
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(pending.map(p => p.url)).toContain(
      `${base}/entity-facets?facet=kind`,
    );
    pending.forEach(p => p.answer());
    await Promise.all([page, facet]);
  });

  it('lets the filters go at once when the list fails', async () => {
    const afterListShown = jest.fn(() => new Promise<void>(() => {}));
    const failing = {
      fetch: jest
        .fn()
        .mockRejectedValueOnce(new TypeError('network down'))
        .mockResolvedValue(new Response('{}')),
    };
    const limited = limitSecondaryReads(failing, { afterListShown });
    await expect(
      limited.fetch(`${base}/entities/by-query?limit=20`),
    ).rejects.toThrow('network down');
    expect(
      (await limited.fetch(`${base}/entity-facets?facet=kind`)).status,
    ).toBe(200);
    expect(afterListShown).not.toHaveBeenCalled();
  });
});

describe('limitSecondaryReads before the first list', () => {
  it('holds the filters until the first page has been shown', async () => {
    const { fetchApi, pending, sent } = controlledFetch();
    const { afterListShown, showRows } = controlledPaint();
    const limited = limitSecondaryReads(fetchApi, {
      afterListShown,
    });
    const facet = limited.fetch(
      `${base}/entity-facets?facet=relations.ownedBy`,
    );
    await tick();
    expect(sent()).toEqual([]);

    const page = limited.fetch(`${base}/entities/by-query?limit=20`);
    await tick();
    expect(sent()).toEqual([`${base}/entities/by-query?limit=20`]);
    pending[0].answer();
    await page;
    await tick();
    expect(sent()).toHaveLength(1);

    showRows();
    await tick();
    expect(sent()).toContain(`${base}/entity-facets?facet=relations.ownedBy`);
    pending[1].answer();
    await facet;

    // Once a list has been shown, a facet with no list in flight goes at once.
    const later = limited.fetch(`${base}/entity-facets?facet=kind`);
    await tick();
    expect(sent()).toContain(`${base}/entity-facets?facet=kind`);
    pending[2].answer();
    await later;
  });

  it('sends the filters anyway on a page that lists nothing', async () => {
    const { fetchApi, pending } = controlledFetch();
    const limited = limitSecondaryReads(fetchApi, { firstListHoldMs: 5 });
    const facet = limited.fetch(`${base}/entity-facets?facet=kind`);
    await tick();
    expect(pending).toHaveLength(0);
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(pending.map(p => p.url)).toEqual([
      `${base}/entity-facets?facet=kind`,
    ]);
    pending[0].answer();
    await facet;
  });
});
