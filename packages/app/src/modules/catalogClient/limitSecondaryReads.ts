import { FetchApi } from '@backstage/frontend-plugin-api';

/**
 * Reads that fill the catalog page's filters and counts: facets, and `by-query` with `limit=0`.
 * The list itself (a `by-query` page, `by-refs`, an entity) is never held back.
 */
export function isSecondaryRead(input: string | URL): boolean {
  const url = new URL(String(input), 'http://localhost');
  if (url.pathname.endsWith('/entity-facets')) return true;
  return (
    url.pathname.endsWith('/entities/by-query') &&
    url.searchParams.get('limit') === '0'
  );
}

/**
 * Reads whose answer becomes a table's rows: a `by-query` page (a cursor is sent in a POST's
 * body) and the unpaginated entity list.
 */
export function isListRead(input: string | URL, method: string): boolean {
  const url = new URL(String(input), 'http://localhost');
  if (url.pathname.endsWith('/entities/by-query')) {
    return method === 'POST' || url.searchParams.get('limit') !== '0';
  }
  return method === 'GET' && url.pathname.endsWith('/entities');
}

/**
 * Resolves after the browser has rendered and painted what the current answer's callers set
 * state with: the second animation frame from now has begun after the first was painted, and
 * the timeout runs after that frame's paint. Hidden documents get no frames, hence the fallback.
 */
export function afterNextPaint(fallbackMs = 250): Promise<void> {
  return new Promise(resolve => {
    if (
      typeof requestAnimationFrame !== 'function' ||
      typeof document === 'undefined' ||
      document.visibilityState === 'hidden'
    ) {
      setTimeout(resolve, 0);
      return;
    }
    const fallback = setTimeout(resolve, fallbackMs);
    requestAnimationFrame(() =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          clearTimeout(fallback);
          resolve();
        }, 0),
      ),
    );
  });
}

export interface SecondaryReadLimits {
  /** How many facets or counts may be in flight at once. */
  concurrency?: number;
  /** Resolves once the rows of a list that has just arrived are on screen. */
  afterListShown?: () => Promise<void>;
  /** The longest a facet or count waits for lists in flight before it is sent anyway. */
  maxHoldMs?: number;
  /** The longest a facet or count waits for the app's first list to be asked for and shown. */
  firstListHoldMs?: number;
}

/**
 * Puts the table's rows before the filters' facets and counts.
 *
 * When the catalog page opens, its filters ask for six to eight facets and two or three counts
 * around the moment the table asks for its first page. Browsers open six connections per host
 * over HTTP/1.1, so the page request used to queue behind them, and the backend then served it
 * among a dozen others. And every facet that arrives re-renders the page, table included: the
 * owner filter's facet, answered just before the table had even asked for its page, and the
 * others arriving just after the page, each pushed the rows back by a render.
 *
 * So at most `concurrency` secondary reads are in flight at once; one asked for while a list is
 * loading waits until that list's rows have been painted (at most `maxHoldMs`); and until the app
 * has shown its first list (the catalog is the start page), they wait for it too, at most
 * `firstListHoldMs`, which is all that a page listing nothing loses. The filters fill in just
 * after the rows.
 */
export function limitSecondaryReads(
  fetchApi: FetchApi,
  limits: SecondaryReadLimits = {},
): FetchApi {
  const {
    concurrency = 2,
    afterListShown = () => afterNextPaint(),
    maxHoldMs = 2000,
    firstListHoldMs = 600,
  } = limits;

  // Secondary reads waiting to be sent, oldest first, with the time each was asked for; lists in
  // flight or arrived and not yet painted; whether the app has shown a list yet.
  const waiting: Array<{ send: () => void; askedAt: number }> = [];
  let active = 0;
  let listsShowing = 0;
  let aListWasShown = false;
  let holdTimer: ReturnType<typeof setTimeout> | undefined;

  /** When a waiting read may go, as far as lists are concerned. */
  const sendableAt = (askedAt: number) => {
    if (listsShowing > 0) return askedAt + maxHoldMs;
    if (!aListWasShown) return askedAt + firstListHoldMs;
    return 0;
  };
  const pump = () => {
    const now = Date.now();
    while (active < concurrency) {
      const index = waiting.findIndex(w => sendableAt(w.askedAt) <= now);
      if (index < 0) break;
      const [next] = waiting.splice(index, 1);
      active += 1;
      next.send();
    }
    clearTimeout(holdTimer);
    holdTimer = undefined;
    if (waiting.length > 0 && active < concurrency) {
      const earliest = Math.min(...waiting.map(w => sendableAt(w.askedAt)));
      holdTimer = setTimeout(pump, Math.max(0, earliest - now));
    }
  };
  const acquire = () =>
    new Promise<void>(send => {
      waiting.push({ send, askedAt: Date.now() });
      pump();
    });
  const release = () => {
    active -= 1;
    pump();
  };
  const listShown = () => {
    listsShowing -= 1;
    aListWasShown = true;
    pump();
  };

  return {
    async fetch(input, init) {
      const method = (init?.method ?? 'GET').toUpperCase();
      if (typeof input !== 'string' && !(input instanceof URL)) {
        return fetchApi.fetch(input, init);
      }
      if (isListRead(input, method)) {
        listsShowing += 1;
        let response: Response;
        try {
          response = await fetchApi.fetch(input, init);
        } catch (error) {
          listShown(); // nothing will be painted
          throw error;
        }
        afterListShown().then(listShown, listShown);
        return response;
      }
      if (method !== 'GET' || !isSecondaryRead(input)) {
        return fetchApi.fetch(input, init);
      }
      await acquire();
      try {
        return await fetchApi.fetch(input, init);
      } finally {
        release();
      }
    },
  };
}
