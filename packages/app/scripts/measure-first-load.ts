/*
 * Measures, in Debian's Chromium, how soon a running portal is usable for someone evaluating it:
 * the time from opening the address to an interactive sign-in page (the Sign In button enabled),
 * and, signed in, from opening the catalog to its first rows. Each is measured --repetitions times
 * in a fresh browser context (an empty cache, as for a first visit) and reported as the median.
 *
 *   ./portal start            # in one terminal (or ./portal dev, with --url http://localhost:3000)
 *   yarn bench first-load [--url http://localhost:7007] [--user bob] [--repetitions 5]
 *
 * A script, not a test: nothing in the test suite runs it.
 */
import { chromium } from 'playwright-core';
import { formatMs, median, parseBenchArgs } from '@portico/test-utils';
import { chromiumLaunchOptions } from '../e2e-tests/chromium';

const args = parseBenchArgs({
  usage: 'yarn bench first-load',
  description:
    "How soon a running portal is usable, in Debian's Chromium: the interactive sign-in page, then the first catalog rows signed in, each the median over fresh browser contexts. Start the portal first (./portal start).",
  options: {
    url: {
      type: 'string',
      default: 'http://localhost:7007',
      description: 'The running portal',
    },
    user: {
      type: 'string',
      default: 'bob',
      description: 'The demo user who signs in',
    },
    repetitions: {
      type: 'integer',
      default: 5,
      description: 'Fresh browser contexts',
    },
  },
});
const repetitions = args.repetitions;

function print(line: string) {
  process.stdout.write(`${line}\n`);
}

async function main() {
  const browser = await chromium.launch(chromiumLaunchOptions);

  const signInTimes: number[] = [];
  const firstRowsTimes: number[] = [];
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
          .reduce(
            (sum, entry) =>
              sum + ((entry as PerformanceResourceTiming).transferSize ?? 0),
            0,
          ),
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
      await page
        .locator('table tbody tr')
        .first()
        .waitFor({ timeout: 120_000 });

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

  print(
    `${args.url}, ${repetitions} fresh browser contexts, user ${args.user}`,
  );
  print(
    `  interactive sign-in page: median ${formatMs(
      median(signInTimes),
    )} (${signInTimes.join(', ')} ms); ${(transferred / 1e6).toFixed(
      1,
    )} MB transferred`,
  );
  print(
    `  first catalog rows, signed in: median ${formatMs(
      median(firstRowsTimes),
    )} (${firstRowsTimes.join(', ')} ms)`,
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
