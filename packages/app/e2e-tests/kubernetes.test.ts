import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('the Kubernetes tab says no resources are known when no cluster is configured', async ({
  page,
}) => {
  await signIn(page, 'bob');
  await page.goto('/catalog/default/component/payment-gateway');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Kubernetes' })
    .click();

  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payment-gateway\/kubernetes/,
  );
  await expect(page.getByText('No Kubernetes resources')).toBeVisible();
  await expect(
    page.getByText('No resources on any known clusters for payment-gateway'),
  ).toBeVisible();
});
