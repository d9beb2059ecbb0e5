import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';

/*
 * The catalog graph: the sidebar's organization graph, the Relations card on an entity page and
 * the full graph page the card links to. Nodes are SVG groups whose <title> is the entity ref;
 * the graph only draws entities the signed-in user may read, so an admin and an outsider see
 * different graphs around the same component. Relations come from demo-data/.
 */

type GraphNode = { ref: string; title: string };

const SUPPORT_CONSOLE: GraphNode = {
  ref: 'component:default/support-console',
  title: 'Support Console',
};
const SUPPORT_TEAM: GraphNode = {
  ref: 'group:default/support-team',
  title: 'Support Team',
};
/** What support-console relates to besides its owner, all owned by teams other than dave's. */
const CUSTOMER_PORTAL: GraphNode = {
  ref: 'system:default/customer-portal',
  title: 'Customer Portal',
};
const PAYMENTS_API: GraphNode = {
  ref: 'api:default/payments-api',
  title: 'Payments API',
};
const SHIPMENT_TRACKING_API: GraphNode = {
  ref: 'api:default/shipment-tracking-api',
  title: 'Shipment Tracking API',
};
const PAYMENTS_SDK: GraphNode = {
  ref: 'component:default/payments-sdk-ts',
  title: 'Payments SDK for TypeScript',
};

const HARBORLINE: GraphNode = {
  ref: 'group:default/harborline',
  title: 'Harborline',
};
const OPERATIONS: GraphNode = {
  ref: 'group:default/operations',
  title: 'Operations',
};
const ENGINEERING: GraphNode = {
  ref: 'group:default/engineering',
  title: 'Engineering',
};
const PRODUCT: GraphNode = { ref: 'group:default/product', title: 'Product' };
const PAYMENTS_TEAM: GraphNode = {
  ref: 'group:default/payments-team',
  title: 'Payments Team',
};

type Expectation = {
  user: string;
  /** The sidebar's graph: rooted at the organization, two levels deep. */
  organization: {
    /** Exactly these nodes, or at least these when `exact` is false. */
    nodes: GraphNode[];
    exact: boolean;
    /** Nodes that must not be drawn. */
    hidden: GraphNode[];
  };
  /** support-console's graph, one level deep, on the card and on the full page. */
  supportConsole: {
    nodes: GraphNode[];
    edgeLabels: string[];
    hidden: GraphNode[];
  };
};

const EXPECTATIONS: Expectation[] = [
  {
    // An admin reads everything, so every relation of the component is drawn.
    user: 'alice',
    organization: {
      nodes: [
        HARBORLINE,
        ENGINEERING,
        PRODUCT,
        OPERATIONS,
        PAYMENTS_TEAM,
        SUPPORT_TEAM,
      ],
      exact: false,
      hidden: [],
    },
    supportConsole: {
      nodes: [
        SUPPORT_CONSOLE,
        SUPPORT_TEAM,
        CUSTOMER_PORTAL,
        PAYMENTS_API,
        SHIPMENT_TRACKING_API,
        PAYMENTS_SDK,
      ],
      edgeLabels: [
        'ownerOf / ownedBy',
        'hasPart / partOf',
        'consumesApi / apiConsumedBy',
        'consumesApi / apiConsumedBy',
        'dependsOn / dependencyOf',
      ],
      hidden: [],
    },
  },
  {
    // dave (support-team, in operations) reads his team's console and, like everyone, the whole
    // organization; the system, APIs and library the console relates to belong to other teams.
    user: 'dave',
    organization: {
      nodes: [
        HARBORLINE,
        ENGINEERING,
        PRODUCT,
        OPERATIONS,
        PAYMENTS_TEAM,
        SUPPORT_TEAM,
      ],
      exact: false,
      hidden: [],
    },
    supportConsole: {
      nodes: [SUPPORT_CONSOLE, SUPPORT_TEAM],
      edgeLabels: ['ownerOf / ownedBy'],
      hidden: [
        CUSTOMER_PORTAL,
        PAYMENTS_API,
        SHIPMENT_TRACKING_API,
        PAYMENTS_SDK,
      ],
    },
  },
];

const sorted = (values: string[]) => [...values].sort();

async function drawnNodeRefs(page: Page): Promise<string[]> {
  return sorted(
    await page.getByTestId('node').locator('title').allTextContents(),
  );
}

async function drawnEdgeLabels(page: Page): Promise<string[]> {
  return sorted(await page.getByTestId('label').allTextContents());
}

/**
 * The graph fetches one level of relations at a time and adds what it may read, so an exact set
 * is only ever drawn once the last level has arrived without any entity outside it.
 */
async function expectNodes(
  page: Page,
  nodes: GraphNode[],
  options: { exact: boolean },
) {
  const refs = nodes.map(node => node.ref);
  if (options.exact) {
    await expect.poll(() => drawnNodeRefs(page)).toEqual(sorted(refs));
  } else {
    await expect
      .poll(() => drawnNodeRefs(page))
      .toEqual(expect.arrayContaining(refs));
  }
  // Each node shows the entity's title.
  for (const node of nodes) {
    await expect(
      page
        .getByTestId('node')
        .filter({ has: page.locator('title', { hasText: node.ref }) }),
    ).toContainText(node.title);
  }
}

async function expectHidden(page: Page, hidden: GraphNode[]) {
  const drawn = await drawnNodeRefs(page);
  for (const node of hidden) {
    expect(drawn).not.toContain(node.ref);
    await expect(
      page.getByTestId('node').filter({ hasText: node.title }),
    ).toHaveCount(0);
  }
}

async function expectSupportConsoleGraph(
  page: Page,
  expected: Expectation['supportConsole'],
) {
  await expectNodes(page, expected.nodes, { exact: true });
  await expect
    .poll(() => drawnEdgeLabels(page))
    .toEqual(sorted(expected.edgeLabels));
  // Every relation is drawn as a path between two nodes.
  await expect(page.getByTestId('edge')).toHaveCount(
    expected.edgeLabels.length,
  );
  await expectHidden(page, expected.hidden);
}

for (const expected of EXPECTATIONS) {
  test(`${expected.user} sees the catalog graph of what they may read`, async ({
    browser,
  }) => {
    test.setTimeout(180_000);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, expected.user);

      // The sidebar's Org Chart, the catalog graph of the organization, departments and teams.
      await page.getByRole('link', { name: 'Org Chart', exact: true }).click();
      await expect(page).toHaveURL(/\/catalog-graph/);
      await expect(
        page.getByRole('heading', { name: 'Catalog Graph' }).first(),
      ).toBeVisible();
      await expectNodes(page, expected.organization.nodes, {
        exact: expected.organization.exact,
      });
      await expect(
        page.getByTestId('label').filter({ hasText: 'parentOf / childOf' }),
      ).not.toHaveCount(0);
      await expect(page.getByTestId('edge')).not.toHaveCount(0);
      await expectHidden(page, expected.organization.hidden);

      // The entity page's Relations card.
      await page.goto('/catalog/default/component/support-console');
      await expect(
        page.getByRole('heading', { name: 'Support Console' }).first(),
      ).toBeVisible();
      await expect(
        page.getByRole('heading', { name: 'Relations' }),
      ).toBeVisible();
      await expectSupportConsoleGraph(page, expected.supportConsole);

      // The card's link opens the full graph page rooted at the component.
      await page.getByRole('link', { name: 'View graph' }).click();
      await expect(page).toHaveURL(/\/catalog-graph\?.*support-console/);
      await expect(
        page.getByRole('heading', { name: 'Catalog Graph' }).first(),
      ).toBeVisible();
      await expectSupportConsoleGraph(page, expected.supportConsole);
    } finally {
      await context.close();
    }
  });
}
