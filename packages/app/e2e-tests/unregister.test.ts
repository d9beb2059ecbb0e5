import { expect, test } from '@playwright/test';
import { signedInPage } from './signIn';

test('an owner unregisters what they created from its page; a reader may not', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const name = `old-runbooks-${Date.now().toString(36)}`;

  // bob creates a documentation site for his team, then unregisters it.
  const bob = await signedInPage(browser, 'bob');
  await bob.goto('/create');
  await bob
    .locator('.MuiCard-root')
    .filter({ hasText: 'Documentation site' })
    .getByRole('button', { name: 'Choose' })
    .click();
  await bob.getByRole('textbox', { name: 'Name' }).fill(name);
  await bob.getByRole('textbox', { name: 'Title' }).fill('Old runbooks');
  await bob
    .getByRole('textbox', { name: 'Description' })
    .fill('Runbooks nobody reads any more.');
  await bob.getByRole('button', { name: 'Review' }).click();
  await bob.getByRole('button', { name: 'Create' }).click();
  const open = bob.getByRole('link', { name: 'Open in the catalog' });
  await expect(open).toBeVisible({ timeout: 90_000 });
  await open.click();
  await expect(
    bob.getByRole('heading', { name: 'Old runbooks' }).first(),
  ).toBeVisible();

  await bob.getByRole('button', { name: 'more' }).first().click();
  await bob.getByRole('menuitem', { name: 'Unregister entity' }).click();
  const dialog = bob.getByRole('dialog');
  await expect(dialog.getByTestId('unregister-entities')).toContainText(
    `component:default/${name}`,
  );
  await expect(dialog).toContainText(`/api/local-git/${name}/`);
  await dialog.getByRole('button', { name: 'Unregister' }).click();
  await expect(bob).not.toHaveURL(new RegExp(name));
  await expect(bob.getByText(`Unregistered`).first()).toBeVisible();
  await bob.goto(`/catalog/default/component/${name}`);
  await expect(bob.getByText('Not visible to you')).toBeVisible();

  // A demo component comes from the portal's configuration: the dialog says so, with no button.
  await bob.goto('/catalog/default/component/payment-gateway');
  await bob.getByRole('button', { name: 'more' }).first().click();
  await bob.getByRole('menuitem', { name: 'Unregister entity' }).click();
  await expect(bob.getByTestId('unregister-refused')).toContainText(
    'which the catalog reads on its own',
  );
  await expect(
    bob.getByRole('dialog').getByRole('button', { name: 'Unregister' }),
  ).toHaveCount(0);
  await bob.context().close();

  // dave reads the freight pipeline through a grant but may not delete it: the item is disabled.
  const dave = await signedInPage(browser, 'dave');
  await dave.goto('/catalog/default/component/freight-analytics-pipeline');
  await expect(
    dave.getByRole('heading', { name: 'Freight Analytics Pipeline' }).first(),
  ).toBeVisible();
  await dave.getByRole('button', { name: 'more' }).first().click();
  await expect(
    dave.getByRole('menuitem', { name: 'Unregister entity' }),
  ).toBeDisabled();
  await dave.context().close();
});
