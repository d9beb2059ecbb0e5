#!/usr/bin/env node
/*
 * Measures, in Debian's Chromium, how soon a running portal is usable for someone evaluating it:
 * the time from opening the address to an interactive sign-in page (the Sign In button enabled),
 * and, signed in, from opening the catalog to its first rows. Each is measured --repetitions times
 * in a fresh browser context (an empty cache, as for a first visit) and reported as the median.
 *
 *   ./portal start            # in one terminal (or ./portal dev, with --url http://localhost:3000)
 *   node scripts/measure-first-load.mjs [--url http://localhost:7007] [--user bob] [--repetitions 5]
 *
 * A script, not a test: nothing in the test suite runs it.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:7007' },
    user: { type: 'string', default: 'bob' },
    repetitions: { type: 'string', default: '5' },
  },
});
const repetitions = Number(args.repetitions);
if (!Number.isInteger(repetitions) || repetitions < 1) {
  throw new Error(
    `--repetitions must be a positive integer, got '${args.repetitions}'`,
  );
}

const browser = await chromium.launch({
  executablePath: process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

const median = values =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const signInTimes = [];
const firstRowsTimes = [];
let transferred = 0;
try {
  for (let i = 0; i < repetitions; i++) {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    let start = Date.now();
    await page.goto(args.url, { waitUntil: 'commit' });
    const signInButton = page.getByRole('button', { name: 'Sign In' });
    await signInButton.waitFor({ state: 'visible', timeout: 120_000 });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('button')].some(
          b => /sign in/i.test(b.textContent ?? '') && !b.disabled,
        ),
      undefined,
      { timeout: 120_000 },
    );
    signInTimes.push(Date.now() - start);
    // What the sign-in page loaded, compressed as sent, from the browser's resource timing.
    transferred = await page.evaluate(() =>
      performance
        .getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'))
        .reduce((sum, entry) => sum + (entry.transferSize ?? 0), 0),
    );

    const popupOpened = page.waitForEvent('popup');
    await signInButton.click();
    const popup = await popupOpened;
    await popup
      .getByRole('button', {
        name: new RegExp(`${args.user}@harborline\\.example`),
      })
      .click();
    await popup.waitForEvent('close');
    await page.locator('table tbody tr').first().waitFor({ timeout: 120_000 });

    // Signed in, with the app's scripts cached as a returning visitor's would be.
    start = Date.now();
    await page.goto(args.url, { waitUntil: 'commit' });
    await page
      .locator('table tbody tr a')
      .first()
      .waitFor({ timeout: 120_000 });
    firstRowsTimes.push(Date.now() - start);
    await context.close();
  }
} finally {
  await browser.close();
}

console.log(
  `${args.url}, ${repetitions} fresh browser contexts, user ${args.user}`,
);
console.log(
  `  interactive sign-in page: median ${median(
    signInTimes,
  )} ms (${signInTimes.join(', ')} ms); ${(transferred / 1e6).toFixed(
    1,
  )} MB transferred`,
);
console.log(
  `  first catalog rows, signed in: median ${median(
    firstRowsTimes,
  )} ms (${firstRowsTimes.join(', ')} ms)`,
);
