import { Browser, expect, Page, test, TestInfo } from '@playwright/test';
import { signIn } from './signIn';
import { networkSettled, openInApp, trackRequests } from './inApp';

/*
 * An engineer's day in the portal, as each demo user: every sidebar entry and the catalog, entity,
 * API and Create pages' tabs and buttons lead somewhere that works. A request the portal answers
 * with an error other than a deliberate 403 or 404, a request that fails, or an error page fails
 * the test. Screenshots of the pages a new user meets are attached to the report.
 */

type Journey = {
  user: string;
  /** A component the user may read, and whether it has TechDocs. */
  entity: { slug: string; title: string; owner: string; techdocs: boolean };
  /** A component the user may not read (its page must say so plainly). */
  hiddenSlug?: string;
  admin: boolean;
};

const JOURNEYS: Journey[] = [
  {
    user: 'alice',
    entity: {
      slug: 'route-optimizer',
      title: 'Route Optimizer',
      owner: 'Routing Squad',
      techdocs: true,
    },
    admin: true,
  },
  {
    user: 'bob',
    entity: {
      slug: 'payment-gateway',
      title: 'Payment Gateway',
      owner: 'Payments Team',
      techdocs: true,
    },
    hiddenSlug: 'route-optimizer',
    admin: false,
  },
  {
    user: 'carol',
    entity: {
      slug: 'tracking-event-ingestor',
      title: 'Tracking Event Ingestor',
      owner: 'Logistics Team',
      techdocs: false,
    },
    hiddenSlug: 'payment-gateway',
    admin: false,
  },
  {
    // dave reads the pipeline through a personal grant: he sees who owns it and its system.
    user: 'dave',
    entity: {
      slug: 'freight-analytics-pipeline',
      title: 'Freight Analytics Pipeline',
      owner: 'Data Team',
      techdocs: false,
    },
    hiddenSlug: 'payment-gateway',
    admin: false,
  },
];

/** Texts of the error pages and panels the portal or a plugin shows. */
const ERROR_TEXTS =
  /dropped the mic|Page not found|Something went wrong|Missing Annotation|No widgets added|Error: |could not load|Failed to load/i;

/** Records every answer and failure of the portal's own requests that is not deliberate. */
function watchRequests(page: Page): string[] {
  const problems: string[] = [];
  const ours = (url: string) => url.startsWith('http://localhost:7007/');
  page.on('response', response => {
    const status = response.status();
    if (
      ours(response.url()) &&
      status >= 400 &&
      status !== 403 &&
      status !== 404
    ) {
      problems.push(
        `${status} ${response.request().method()} ${response.url()}`,
      );
    }
  });
  page.on('requestfailed', request => {
    const failure = request.failure()?.errorText ?? '';
    // Requests cut short by the next navigation are not failures of the portal.
    if (ours(request.url()) && !failure.includes('ERR_ABORTED')) {
      problems.push(`failed ${request.method()} ${request.url()}: ${failure}`);
    }
  });
  return problems;
}

async function expectNoErrorPage(page: Page, where: string) {
  await networkSettled(page);
  await expect(
    page.locator('main').getByText(ERROR_TEXTS),
    `an error page or panel on ${where}`,
  ).toHaveCount(0);
}

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  await networkSettled(page);
  await testInfo.attach(name, {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png',
  });
}

async function signedIn(browser: Browser, user: string) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
  });
  const page = await context.newPage();
  // Before sign-in, the sign-in page's optional session refresh answers 401 by design.
  await signIn(page, user);
  const problems = watchRequests(page);
  trackRequests(page);
  return { page, problems };
}

/** The hrefs of the sidebar's entries, opened or not. */
async function sidebarHrefs(page: Page): Promise<string[]> {
  const nav = page.locator('nav').first();
  await expect(nav.getByRole('link').first()).toBeVisible();
  const hrefs = await nav
    .locator('a[href]')
    .evaluateAll(links => links.map(link => link.getAttribute('href') ?? ''));
  return [...new Set(hrefs.filter(href => href.startsWith('/')))];
}

/** Opens each tab of the entity page's header in turn and checks none shows an error. */
async function visitTabs(page: Page, where: string): Promise<string[]> {
  const tabs = page.locator('main nav').first().locator('a[href]');
  await expect(tabs.first()).toBeVisible();
  const found = await tabs.evaluateAll(links =>
    links.map(link => ({
      name: (link.textContent ?? '').trim(),
      href: link.getAttribute('href') ?? '',
    })),
  );
  for (const { name, href } of found) {
    await openInApp(page, href);
    await expectNoErrorPage(page, `${where}, tab ${name}`);
  }
  return found.map(tab => tab.name);
}

// Each journey signs in on its own page, so the journeys may run side by side.
test.describe.configure({ mode: 'parallel' });

/**
 * Docs are built at start-up and the search index holds them from its next run, about a minute
 * after the backend starts: until then, the TechDocs reader's search answers 503. Waits for that
 * first index, as someone opening the portal a minute after starting it would.
 */
test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, 'alice');
    await expect
      .poll(
        async () => {
          const answer = page.waitForResponse(response =>
            response
              .url()
              .includes('/api/search/query?term=&types%5B0%5D=techdocs'),
          );
          await page.goto('/catalog/default/component/route-optimizer/docs');
          return (await answer).status();
        },
        { timeout: 180_000, intervals: [5_000] },
      )
      .toBe(200);
  } finally {
    await context.close();
  }
});

for (const journey of JOURNEYS) {
  test(`${journey.user} meets no dead end in the sidebar, catalog, entity, API and Create pages`, async ({
    browser,
  }, testInfo) => {
    test.setTimeout(240_000);
    const { page, problems } = await signedIn(browser, journey.user);
    const screenshots = journey.user === 'bob';
    try {
      // The catalog: Create is offered to everyone the policy lets create.
      await expectNoErrorPage(page, 'the catalog');
      if (screenshots) await attachScreenshot(page, testInfo, 'catalog');
      const create = page.getByRole('link', { name: 'Create' }).first();
      await expect(create).toBeVisible();

      // Every sidebar entry opens a working page.
      const hrefs = await sidebarHrefs(page);
      expect(hrefs).toEqual(
        expect.arrayContaining(['/home', '/create', '/catalog-import']),
      );
      expect(hrefs.includes('/visualizer')).toBe(journey.admin);
      expect(hrefs.includes('/org-health')).toBe(journey.admin);
      for (const href of hrefs) {
        await openInApp(page, href);
        await expectNoErrorPage(page, `sidebar entry ${href}`);
      }
      // Register Existing Component works for every user: its form is there.
      await openInApp(page, '/catalog-import');
      await expect(page.getByRole('textbox', { name: /URL/i })).toBeVisible();

      // The home page opens on its widgets, not in edit mode.
      await openInApp(page, '/home');
      await expect(
        page.getByRole('heading', { name: 'Welcome to Portico' }),
      ).toBeVisible();
      await expect(page.getByText('Your teams').first()).toBeVisible();
      await expect(page.getByText(/You are in /)).toBeVisible();
      await expect(page.getByText('Your template runs').first()).toBeVisible();
      await expect(page.getByText(/Need help\?/)).toBeVisible();
      await expect(page.getByRole('button', { name: 'Edit' })).toBeVisible();
      await expectNoErrorPage(page, 'the home page');
      if (screenshots) await attachScreenshot(page, testInfo, 'home page');

      // The catalog's Create button leads to the templates.
      await openInApp(page, '/');
      await page.getByRole('link', { name: 'Create' }).first().click();
      await expect(page).toHaveURL(/\/create/);
      await expectNoErrorPage(page, 'Create');

      // The Create page: every template's form opens.
      await expect(
        page.getByRole('button', { name: 'Choose' }).first(),
      ).toBeVisible();
      await networkSettled(page);
      const templates = await page
        .getByRole('button', { name: 'Choose' })
        .evaluateAll(buttons =>
          buttons.map(
            button =>
              button.closest('.MuiCard-root')?.querySelector('h3, h4, h5, h6')
                ?.textContent ?? '',
          ),
        );
      expect(templates.length).toBeGreaterThan(0);
      expect(templates.filter(title => title === '')).toEqual([]);
      for (const template of templates) {
        await openInApp(page, '/create');
        await page
          .locator('.MuiCard-root')
          .filter({ hasText: template })
          .getByRole('button', { name: 'Choose' })
          .click();
        await expect(
          page.getByRole('button', { name: /Next|Review|Create/ }).first(),
        ).toBeVisible();
        await expectNoErrorPage(page, `template ${template}`);
      }

      // An entity page: every tab works, TechDocs only where there are docs, the owner is a link.
      const { slug, title, owner, techdocs } = journey.entity;
      await openInApp(page, `/catalog/default/component/${slug}`);
      await expect(
        page.getByRole('heading', { name: title }).first(),
      ).toBeVisible();
      const ownerLink = page.getByRole('link', { name: owner }).first();
      await expect(ownerLink).toBeVisible();
      if (screenshots) await attachScreenshot(page, testInfo, 'entity page');
      const tabs = await visitTabs(page, `${slug}'s page`);
      expect(tabs.includes('TechDocs')).toBe(techdocs);
      await openInApp(page, `/catalog/default/component/${slug}`);
      await page.getByRole('link', { name: owner }).first().click();
      await expect(page).toHaveURL(/\/catalog\/default\/group\//);
      await expect(
        page.getByRole('heading', { name: owner }).first(),
      ).toBeVisible();
      await expectNoErrorPage(page, `${owner}'s page`);

      // The APIs page and the first API the user may read, with each of its tabs.
      await openInApp(page, '/api-docs');
      await expectNoErrorPage(page, 'the APIs page');
      const apiLinks = page.locator('main a[href*="/catalog/default/api/"]');
      if ((await apiLinks.count()) > 0) {
        await apiLinks.first().click();
        await expect(page).toHaveURL(/\/api\//);
        await visitTabs(page, 'an API page');
      }

      // A hidden entity's page says plainly that it is not visible.
      if (journey.hiddenSlug) {
        await openInApp(
          page,
          `/catalog/default/component/${journey.hiddenSlug}`,
        );
        await expect(page.getByText('Not visible to you')).toBeVisible();
        await expect(
          page.getByText(/does not exist, or you may not see it/),
        ).toBeVisible();
        await expect(
          page.getByRole('button', { name: 'Ask the owners for access' }),
        ).toBeVisible();
        if (screenshots) {
          await attachScreenshot(page, testInfo, 'hidden entity page');
        }
      }

      expect(problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
}

test('dave asks the owners of a hidden component for access, and its team is notified', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const reason = `I answer shippers about card payments (${Date.now()})`;
  const asked = async (page: Page, slug: string) => {
    await openInApp(page, `/catalog/default/component/${slug}`);
    await page
      .getByRole('button', { name: 'Ask the owners for access' })
      .click();
    await page
      .getByRole('textbox', { name: 'Why do you need access?' })
      .fill(reason);
    await page.getByRole('button', { name: 'Send request' }).click();
    const status = page.getByRole('status');
    await expect(status).toContainText('its owners have been asked');
    return status.textContent();
  };

  const dave = await signedIn(browser, 'dave');
  try {
    const forHidden = await asked(dave.page, 'payment-gateway');
    // An entity that does not exist gets the very same answer.
    expect(await asked(dave.page, 'no-such-component')).toBe(forHidden);
    expect(dave.problems).toEqual([]);
  } finally {
    await dave.page.context().close();
  }

  // bob is in payments-team, which owns the payment gateway.
  const bob = await signedIn(browser, 'bob');
  try {
    await openInApp(bob.page, '/notifications');
    const notification = bob.page.getByText(
      'user:default/dave asks for access to component:default/payment-gateway',
    );
    await expect(notification.first()).toBeVisible();
    await expect(bob.page.getByText(reason).first()).toBeVisible();
    await bob.page.getByRole('button', { name: 'Show more' }).first().click();
    await expect(
      bob.page
        .getByText(
          /backstage\.tanzu\.vmware\.com\/user\.dave: catalog\.entity\.read/,
        )
        .first(),
    ).toBeVisible();
  } finally {
    await bob.page.context().close();
  }
});

/** Words of table cells that the browser split across two lines (hyphens may break). */
async function wordsSplitAcrossLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const split: string[] = [];
    for (const cell of Array.from(
      document.querySelectorAll('table tbody td'),
    )) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s-]+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const lines = new Set(
            Array.from(range.getClientRects())
              .filter(rect => rect.width > 0)
              .map(rect => Math.round(rect.bottom)),
          );
          if (lines.size > 1) split.push(match[0]);
        }
      }
    }
    return split;
  });
}

for (const width of [1280, 1400]) {
  test(`the catalog and API tables and the sidebar are readable at ${width} px`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({
      viewport: { width, height: 900 },
    });
    const page = await context.newPage();
    try {
      await signIn(page, 'alice');
      for (const path of ['/', '/api-docs']) {
        await openInApp(page, path);
        await expect(page.locator('table tbody tr').first()).toBeVisible();
        await networkSettled(page);
        expect([path, await wordsSplitAcrossLines(page)]).toEqual([path, []]);
      }
      // Every sidebar label is shown whole, not cut off with an ellipsis.
      const cut = await page
        .locator('nav a span, nav a div')
        .evaluateAll(elements =>
          elements
            .filter(
              element =>
                element.childElementCount === 0 &&
                element.scrollWidth > element.clientWidth + 1,
            )
            .map(element => element.textContent),
        );
      expect(cut).toEqual([]);
    } finally {
      await context.close();
    }
  });
}
