import { expect, Page, test } from '@playwright/test';
import { signedInPage } from './signIn';
import { openInApp } from './inApp';

/*
 * What the owner-of policy lets each demo user see, through the browser: the catalog list, entity
 * pages with the Access card, and search. Each test signs in in a fresh browser context, so no
 * session leaks between users. Titles come from demo-data/components.yaml.
 */

/** Slug and display title of every demo component. */
const COMPONENT_TITLES: Record<string, string> = {
  'shipment-api': 'Shipment API',
  'tracking-event-ingestor': 'Tracking Event Ingestor',
  'carrier-connector': 'Carrier Connector',
  'shipment-notifier': 'Shipment Notifier',
  'route-optimizer': 'Route Optimizer',
  'geocoding-service': 'Geocoding Service',
  'legacy-route-planner': 'Legacy Route Planner',
  'payment-gateway': 'Payment Gateway',
  'invoicing-service': 'Invoicing Service',
  'payments-sdk-ts': 'Payments SDK for TypeScript',
  'customer-portal-web': 'Customer Portal Web',
  'design-system': 'Anchor Design System',
  'shipper-mobile-app': 'Harborline Shipper App',
  'driver-companion-app': 'Driver Companion App',
  'support-console': 'Support Console',
  'build-toolkit': 'Build Toolkit',
  'deploy-bot': 'Deploy Bot',
  'incident-status-page': 'Incident Status Page',
  'freight-analytics-pipeline': 'Freight Analytics Pipeline',
  'eta-prediction-model': 'ETA Prediction Model',
  // The portal's own entry (catalog-info.yaml at the repository root), owned by platform-team.
  portico: 'Portico',
};
const ALL_SLUGS = Object.keys(COMPONENT_TITLES);

type Expectation = {
  user: string;
  /** Slugs of the components listed under Kind Component, "All" (exactly these). */
  components: string[];
  /** An entity page that renders, and whether it shows the Access card. */
  visiblePage: { slug: string; accessCard: boolean };
  /** An entity page that must look as if the entity did not exist. */
  hiddenSlug?: string;
  /**
   * A search whose results must include `visible` and link to no component outside
   * `components`. The terms match components of several teams (titles and descriptions).
   */
  search: { term: string; visible: string };
};

const EXPECTATIONS: Expectation[] = [
  {
    // Admin through platform-team.
    user: 'alice',
    components: ALL_SLUGS,
    visiblePage: { slug: 'payment-gateway', accessCard: true },
    search: { term: 'payment', visible: 'payment-gateway' },
  },
  {
    // payments-team owns three components; engineering's grant adds the status page.
    user: 'bob',
    components: [
      'payment-gateway',
      'invoicing-service',
      'payments-sdk-ts',
      'incident-status-page',
    ],
    visiblePage: { slug: 'payment-gateway', accessCard: true },
    hiddenSlug: 'route-optimizer',
    search: { term: 'shipment', visible: 'invoicing-service' },
  },
  {
    // routing-squad → logistics-team → engineering: owned by both teams, plus the grant.
    user: 'carol',
    components: [
      'shipment-api',
      'tracking-event-ingestor',
      'carrier-connector',
      'shipment-notifier',
      'route-optimizer',
      'geocoding-service',
      'legacy-route-planner',
      'incident-status-page',
    ],
    visiblePage: { slug: 'incident-status-page', accessCard: false },
    hiddenSlug: 'payment-gateway',
    search: { term: 'shipment', visible: 'shipment-api' },
  },
  {
    // support-team owns the console; a personal grant gives read and refresh on the pipeline.
    user: 'dave',
    components: ['support-console', 'freight-analytics-pipeline'],
    visiblePage: { slug: 'freight-analytics-pipeline', accessCard: false },
    hiddenSlug: 'payment-gateway',
    search: { term: 'shipment', visible: 'freight-analytics-pipeline' },
  },
];

/** The catalog table shows 20 rows a page. */
const CATALOG_PAGE_SIZE = 20;

async function expectCatalogList(page: Page, components: string[]) {
  // The catalog is the portal's landing page.
  await page.goto('/?filters[kind]=component&filters[user]=all');
  await expect(
    page
      .getByRole('heading', { name: `All Components (${components.length})` })
      .first(),
  ).toBeVisible();
  if (components.length > CATALOG_PAGE_SIZE) {
    // Everything, over several pages: the count says it all.
    expect(components).toEqual(ALL_SLUGS);
    return;
  }
  const table = page.getByRole('table');
  for (const slug of ALL_SLUGS) {
    const link = table.getByRole('link', {
      name: COMPONENT_TITLES[slug],
      exact: true,
    });
    if (components.includes(slug)) {
      await expect(link).toBeVisible();
    } else {
      await expect(link).toHaveCount(0);
    }
  }
}

async function expectEntityPage(
  page: Page,
  expected: Expectation['visiblePage'],
) {
  const title = COMPONENT_TITLES[expected.slug];
  const accessAnswer = page.waitForResponse(response =>
    response.url().includes('/api/permission/owner-of/access'),
  );
  await openInApp(page, `/catalog/default/component/${expected.slug}`);
  await expect(
    page.getByRole('heading', { name: title }).first(),
  ).toBeVisible();
  const status = (await accessAnswer).status();
  const readTable = page.getByRole('table', { name: 'Read access' });
  if (expected.accessCard) {
    expect(status).toBe(200);
    await expect(readTable).toBeVisible();
    await expect(
      readTable.getByRole('row', {
        name: /group:default\/payments-team\s*Owner/,
      }),
    ).toBeVisible();
    await expect(
      readTable.getByRole('row', {
        name: /group:default\/sre-team\s*Grant annotation backstage\.tanzu\.vmware\.com\/group\.default\.sre-team/,
      }),
    ).toBeVisible();
    await expect(
      readTable.getByRole('row', {
        name: /group:default\/platform-team\s*Admin/,
      }),
    ).toBeVisible();
    await expect(
      page.getByRole('table', { name: 'Delete access' }),
    ).toBeVisible();
    await expect(
      page.getByRole('table', { name: 'Refresh access' }),
    ).toBeVisible();
  } else {
    expect(status).toBe(403);
    await expect(readTable).toHaveCount(0);
  }
}

async function expectNotFound(page: Page, slug: string) {
  await openInApp(page, `/catalog/default/component/${slug}`);
  await expect(
    page.getByText(/does not exist, or you may not see it/i),
  ).toBeVisible();
  await expect(page.getByRole('table', { name: 'Read access' })).toHaveCount(0);
}

/** Component slugs that the links on the page point at (entity pages and their docs). */
async function linkedComponents(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator('a[href*="/component/" i]')
    .evaluateAll(links => links.map(link => link.getAttribute('href') ?? ''));
  return hrefs.flatMap(href => {
    const match = href.match(
      /\/(?:catalog|docs)\/default\/component\/([^/?#]+)/i,
    );
    return match ? [match[1].toLowerCase()] : [];
  });
}

/**
 * The search index is built on a schedule after start-up, so the visible component may appear
 * only after a while: reload until it does. No answer may link to a component the user cannot read.
 */
async function expectSearch(
  page: Page,
  search: Expectation['search'],
  allowed: string[],
) {
  const deadline = Date.now() + 150_000;
  for (;;) {
    await page.goto(`/search?query=${encodeURIComponent(search.term)}`);
    const found = await expect
      .poll(
        async () => (await linkedComponents(page)).includes(search.visible),
        {
          timeout: 15_000,
        },
      )
      .toBe(true)
      .then(
        () => true,
        () => false,
      );
    const linked = await linkedComponents(page);
    expect(linked.filter(slug => !allowed.includes(slug))).toEqual([]);
    if (found) {
      await expect(
        page
          .getByRole('link', { name: COMPONENT_TITLES[search.visible] })
          .first(),
      ).toBeVisible();
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Search for '${search.term}' never found ${
          search.visible
        }; it linked to [${linked.join(', ')}]`,
      );
    }
  }
}

for (const expected of EXPECTATIONS) {
  test(`${expected.user} sees exactly what the owner-of policy allows`, async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const page = await signedInPage(browser, expected.user);
    try {
      await expectCatalogList(page, expected.components);
      await expectEntityPage(page, expected.visiblePage);
      if (expected.hiddenSlug) {
        await expectNotFound(page, expected.hiddenSlug);
      }
      await expectSearch(page, expected.search, expected.components);
    } finally {
      await page.context().close();
    }
  });
}
