import { expect, test } from '@playwright/test';
import { signInThroughProvider } from './signIn';

test('a demo user signs in through the identity provider and browses the catalog', async ({
  page,
}) => {
  await signInThroughProvider(page, 'bob');

  // bob belongs to the payments team: the catalog opens on what his team owns.
  await expect(
    page.getByRole('heading', { name: /Owned Components/ }).first(),
  ).toBeVisible();
  const paymentGateway = page.getByRole('link', {
    name: 'Payment Gateway',
    exact: true,
  });
  await expect(paymentGateway).toBeVisible();

  await paymentGateway.click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payment-gateway/,
  );
  await expect(
    page.getByRole('heading', { name: 'Payment Gateway' }).first(),
  ).toBeVisible();
  await expect(page.getByText('Payments Team').first()).toBeVisible();
  await expect(
    page.getByText(/Charges shippers by card/).first(),
  ).toBeVisible();
  // The policy's access relations are not shown as relations to missing entities.
  await expect(page.getByRole('heading', { name: 'Access' })).toBeVisible();
  await expect(page.getByText(/can't be found in the catalog/)).toHaveCount(0);
});
