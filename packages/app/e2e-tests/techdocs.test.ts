import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('an owner reads the TechDocs of a component from its TechDocs tab', async ({
  page,
}) => {
  // The first visit builds the site with mkdocs.
  test.setTimeout(180_000);
  await signIn(page, 'bob');
  await page.goto('/catalog/default/component/payment-gateway');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'TechDocs' })
    .click();

  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payment-gateway\/docs/,
  );
  await expect(
    page.getByRole('heading', { name: 'Payment methods' }),
  ).toBeVisible({
    timeout: 120_000,
  });

  await page.getByRole('link', { name: 'Runbook' }).first().click();
  await expect(
    page.getByRole('heading', { name: 'Runbook', level: 1 }),
  ).toBeVisible();
});

test('a user who may not read a component gets no docs for it', async ({
  page,
}) => {
  // dave is in the support team; payment-gateway belongs to the payments team.
  await signIn(page, 'dave');
  await page.goto('/docs/default/component/payment-gateway');
  await expect(
    page.getByText(/not found|could not be found|404/i).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Payment methods' }),
  ).toHaveCount(0);
});
