import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';

/** Searches until the index has caught up (it is refreshed every minute). */
async function searchUntilFound(page: Page, query: string, expected: RegExp) {
  await expect(async () => {
    await page.goto(`/search?query=${encodeURIComponent(query)}`);
    await expect(
      page.getByRole('link', { name: expected }).first(),
    ).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 150_000, intervals: [5_000] });
}

test('search finds an entity and a TechDocs page', async ({ page }) => {
  test.setTimeout(360_000);
  await signIn(page, 'bob');

  await searchUntilFound(page, 'Payment Gateway', /Payment Gateway/);

  // Docs are built on first view, then indexed: open them, then search a term from the runbook.
  await page.goto('/catalog/default/component/payment-gateway/docs');
  await expect(
    page.getByRole('heading', { name: 'Payment methods' }),
  ).toBeVisible({
    timeout: 120_000,
  });
  await searchUntilFound(page, 'PayoutFileRejected', /Runbook/);
});
