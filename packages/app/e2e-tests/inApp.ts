import { expect, Page, Request } from '@playwright/test';

/*
 * Moving around the running app as its own links do. `page.goto` loads and starts the whole app
 * again (its bundle, sign-in refresh, config and the first API calls), which on a 2-core machine
 * is most of a browser test's CPU. A user who follows links never does that; a test that only
 * needs a URL opened in the signed-in app should not either.
 */

const inFlightByPage = new WeakMap<Page, Set<Request>>();

/**
 * Starts counting the page's requests in flight, for `networkSettled`. Call it before the
 * navigation whose requests are to be awaited (e.g. right after signing in).
 */
export function trackRequests(page: Page): void {
  if (inFlightByPage.has(page)) return;
  const inFlight = new Set<Request>();
  inFlightByPage.set(page, inFlight);
  page.on('request', request => inFlight.add(request));
  page.on('requestfinished', request => inFlight.delete(request));
  page.on('requestfailed', request => inFlight.delete(request));
}

/**
 * Resolves once no request of the page has been in flight for `quietMs`. Playwright's
 * `networkidle` state belongs to a document load, so after a navigation inside the app it is
 * already reached and would not wait for the new page's requests.
 */
export async function networkSettled(page: Page, quietMs = 500) {
  const inFlight = inFlightByPage.get(page);
  if (!inFlight) {
    await page.waitForLoadState('networkidle');
    return;
  }
  let quietSince = Date.now();
  await expect
    .poll(
      () => {
        if (inFlight.size > 0) quietSince = Date.now();
        return Date.now() - quietSince >= quietMs;
      },
      { intervals: [100], message: 'the page kept requests in flight' },
    )
    .toBe(true);
}

/**
 * Opens `path` in the signed-in app without reloading it: the browser history changes as a
 * link's does, and the app's router renders the new page.
 */
export async function openInApp(page: Page, path: string) {
  trackRequests(page);
  await page.evaluate(target => {
    window.history.pushState(null, '', target);
    window.dispatchEvent(new PopStateEvent('popstate', { state: null }));
  }, path);
}
