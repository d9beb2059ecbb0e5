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
  // list of every entity, and the table's first page asks for 50.
  expect(entityRequests.length).toBeGreaterThan(0);
  for (const url of entityRequests) {
    expect(url.pathname).toBe('/api/catalog/entities/by-query');
    expect(Number(url.searchParams.get('limit'))).toBeLessThanOrEqual(50);
  }
  const firstPage = entityRequests.find(
    u => u.searchParams.get('limit') !== '0',
  );
  expect(firstPage?.searchParams.get('limit')).toBe('50');
  expect(firstPage?.searchParams.has('cursor')).toBe(false);
});
