import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('the catalog page asks the server for one page of entities at a time', async ({
  page,
}) => {
  const entityRequests: URL[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    if (/^\/api\/catalog\/entities(\/by-query)?$/.test(url.pathname)) {
      entityRequests.push(url);
    }
  });

  await signIn(page, 'bob');
  await expect(
    page.getByRole('link', { name: 'Payment Gateway', exact: true }),
  ).toBeVisible();

  // Every list request is a bounded by-query (limit 0 ones only count), never the unpaginated
  // list of every entity, and the table's first page asks for the configured 20.
  expect(entityRequests.length).toBeGreaterThan(0);
  for (const url of entityRequests) {
    expect(url.pathname).toBe('/api/catalog/entities/by-query');
    expect(Number(url.searchParams.get('limit'))).toBeLessThanOrEqual(20);
  }
  const firstPage = entityRequests.find(
    u => u.searchParams.get('limit') !== '0',
  );
  expect(firstPage?.searchParams.get('limit')).toBe('20');
  expect(firstPage?.searchParams.has('cursor')).toBe(false);
});

test('a user pages through the catalog on the server, 20 rows at a time', async ({
  page,
}) => {
  // alice (platform-team, admins) may read all 21 demo components: two pages.
  await signIn(page, 'alice');
  await page.goto('/?filters[kind]=component&filters[user]=all');
  await expect(
    page.getByRole('heading', { name: 'All Components (21)' }).first(),
  ).toBeVisible();
  const componentLinks = page.locator(
    'table tbody tr a[href*="/catalog/default/component/"]',
  );
  await expect(componentLinks).toHaveCount(20);
  const firstPage = await componentLinks.allTextContents();

  // The next page comes from the server: a by-query request carrying the cursor (in the URL or,
  // as the catalog client sends it, in a POST body).
  const nextPage = page.waitForRequest(
    request =>
      new URL(request.url()).pathname === '/api/catalog/entities/by-query' &&
      (new URL(request.url()).searchParams.has('cursor') ||
        (request.postData() ?? '').includes('"cursor"')),
  );
  await page.getByRole('button', { name: 'Next Page' }).click();
  await nextPage;
  await expect(componentLinks).toHaveCount(1);
  const secondPage = await componentLinks.allTextContents();
  expect(firstPage).not.toContain(secondPage[0]);

  await page.getByRole('button', { name: 'Previous Page' }).click();
  await expect(componentLinks).toHaveCount(20);
  expect(await componentLinks.allTextContents()).toEqual(firstPage);
});
