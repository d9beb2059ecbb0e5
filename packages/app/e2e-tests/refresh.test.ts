import { expect, test } from '@playwright/test';
import { signedInPage } from './signIn';

test('an owner schedules a refresh from the About card; a reader refreshes only where a grant says so', async ({
  browser,
}) => {
  // bob's team owns payment-gateway: the button schedules a refresh, which the catalog accepts.
  const bob = await signedInPage(browser, 'bob');
  await bob.goto('/catalog/default/component/payment-gateway');
  const refresh = bob.getByTitle('Schedule entity refresh');
  await expect(refresh).toBeVisible();
  const [answer] = await Promise.all([
    bob.waitForResponse(
      r =>
        r.url().endsWith('/api/catalog/refresh') &&
        r.request().method() === 'POST',
    ),
    refresh.click(),
  ]);
  expect(answer.status()).toBe(200);
  await expect(bob.getByText('Refresh scheduled')).toBeVisible();

  // bob reads the status page through engineering's read grant, which does not include refreshing.
  await bob.goto('/catalog/default/component/incident-status-page');
  await expect(
    bob.getByRole('heading', { name: 'Incident Status Page' }).first(),
  ).toBeVisible();
  await expect(bob.getByText('About').first()).toBeVisible();
  await expect(bob.getByTitle('Schedule entity refresh')).toHaveCount(0);
  await bob.context().close();

  // dave's grant on the freight pipeline names catalog.entity.refresh: he has the button.
  const dave = await signedInPage(browser, 'dave');
  await dave.goto('/catalog/default/component/freight-analytics-pipeline');
  await expect(dave.getByTitle('Schedule entity refresh')).toBeVisible();
  await dave.context().close();
});
