import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('an API’s Definition tab renders its OpenAPI document', async ({
  page,
}) => {
  await signIn(page, 'bob');
  await page.goto('/catalog/default/api/payments-api');
  // Definition is the only tab of the "Documentation" group on an API without
  // TechDocs, so the entity page shows it as a tab of its own.
  const tabs = page.getByRole('navigation', { name: 'Content navigation' });
  await expect(tabs.getByRole('button', { name: 'Documentation' })).toHaveCount(
    0,
  );
  await tabs.getByRole('link', { name: 'Definition' }).click();

  await expect(page).toHaveURL(
    /\/catalog\/default\/api\/payments-api\/definition/,
  );
  await expect(
    page.getByRole('heading', { name: /Payments API 1\.9\.0/ }),
  ).toBeVisible();
  // Swagger UI lists each operation with its path.
  await expect(page.locator('.opblock-summary-path').first()).toBeVisible();
  await expect(
    page.getByText('/payment-intents', { exact: true }).first(),
  ).toBeVisible();
});

test('component pages list the APIs they provide and consume', async ({
  page,
}) => {
  await signIn(page, 'bob');
  await page.goto('/catalog/default/component/payment-gateway/apis');
  const provided = page.getByRole('heading', { name: 'Provided APIs' });
  await expect(provided).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Payments API' }).first(),
  ).toBeVisible();

  // The invoicing service collects through the gateway's API.
  await page.goto('/catalog/default/component/invoicing-service/apis');
  await expect(
    page.getByRole('heading', { name: 'Consumed APIs' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Payments API' }).first(),
  ).toBeVisible();
});
