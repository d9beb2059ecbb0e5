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
 * Lets at most `concurrency` secondary reads be in flight at once; the others wait their turn.
 *
 * When the catalog page opens, its filters ask for six to eight facets and two or three counts
 * at the same moment as the table asks for its first page. Browsers open six connections per
 * host over HTTP/1.1, so the page request used to queue behind them, and the backend then served
 * it among a dozen others. Holding the filters' reads to a few at a time leaves a connection and
 * the backend's attention to the rows the user is waiting for; the filters fill in just after.
 */
export function limitSecondaryReads(
  fetchApi: FetchApi,
  concurrency = 2,
): FetchApi {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active -= 1;
    const next = waiting.shift();
    if (next) {
      active += 1;
      next();
    }
  };
  const acquire = () => {
    if (active < concurrency) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise<void>(resolve => waiting.push(resolve));
  };
  return {
    async fetch(input, init) {
      const method = (init?.method ?? 'GET').toUpperCase();
      if (
        method !== 'GET' ||
        (typeof input !== 'string' && !(input instanceof URL)) ||
        !isSecondaryRead(input)
      ) {
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
