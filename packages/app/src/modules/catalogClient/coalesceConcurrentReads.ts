import { FetchApi } from '@backstage/frontend-plugin-api';

interface SharedResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
}

/** Statuses whose responses carry no body; `new Response` refuses one. */
const BODYLESS = new Set([101, 204, 205, 304]);

function requestKey(input: string | URL, init?: RequestInit): string {
  const headers = [...new Headers(init?.headers).entries()].sort();
  return JSON.stringify([String(input), headers]);
}

/**
 * Sends one request for identical GETs that are in flight at the same time, and gives every
 * caller its own copy of the answer.
 *
 * The catalog page's filters each load their facets and the list's count as the filters settle,
 * so one navigation asks for the same facet or count two to four times within a few hundred
 * milliseconds. Browsers open six connections per host over HTTP/1.1: the duplicates queue the
 * page's own list request behind them. Reads that are already in flight for the same URL and
 * headers return the same data; requests with a body, another method or an abort signal are
 * passed through untouched. Nothing is cached once the answer has arrived.
 */
export function coalesceConcurrentReads(fetchApi: FetchApi): FetchApi {
  const inFlight = new Map<string, Promise<SharedResponse>>();
  return {
    async fetch(input, init) {
      const method = (init?.method ?? 'GET').toUpperCase();
      if (
        method !== 'GET' ||
        init?.signal ||
        init?.body ||
        (typeof input === 'object' && !(input instanceof URL))
      ) {
        return fetchApi.fetch(input, init);
      }
      const key = requestKey(input, init);
      let shared = inFlight.get(key);
      if (!shared) {
        shared = fetchApi.fetch(input, init).then(async response => ({
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers.entries()],
          body: await response.arrayBuffer(),
        }));
        inFlight.set(key, shared);
        const forget = () => inFlight.delete(key);
        shared.then(forget, forget);
      }
      const answer = await shared;
      return new Response(
        BODYLESS.has(answer.status) ? null : answer.body.slice(0),
        {
          status: answer.status,
          statusText: answer.statusText,
          headers: answer.headers,
        },
      );
    },
  };
}
