import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('an engineer creates a Node.js service from a template and opens its catalog page', async ({
  page,
}) => {
  test.setTimeout(150_000);
  // Unique per run, and a valid name: lowercase letters, digits and single dashes.
  const name = `parcel-notifier-${Date.now().toString(36)}`;

  await signIn(page, 'bob');
  await page.goto('/create');

  // The template list shows the demo templates; choose the Node.js service.
  await expect(
    page.getByText('Documentation site', { exact: true }),
  ).toBeVisible();
  const card = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Node.js service (TypeScript)' });
  await card.getByRole('button', { name: 'Choose' }).click();

  // First step: name, description, owner. An invalid name is refused.
  await page.getByRole('textbox', { name: 'Name' }).fill('Parcel_Notifier');
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('Tells shippers that their parcel is on its way.');
  // bob belongs to one team: the owner picker offers his own teams, so it is preselected.
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await expect(owner).toHaveValue('Payments Team');
  await expect(owner).toBeDisabled();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.locator('#root_name__error')).toContainText(
    'must match pattern',
  );
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: 'Next' }).click();

  // Second step: the lifecycle keeps its default. Then the review.
  await expect(page.getByText('How far along the service is.')).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  const review = page.getByRole('table');
  await expect(review.getByText(name)).toBeVisible();
  await expect(review.getByText('group:default/payments-team')).toBeVisible();
  await expect(review.getByText('experimental')).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task page: every step finishes and the output links appear.
  await expect(page).toHaveURL(/\/create\/tasks\//);
  const openInCatalog = page.getByRole('link', { name: 'Open in the catalog' });
  await expect(openInCatalog).toBeVisible({ timeout: 90_000 });
  const repositoryUrl = `http://localhost:7007/api/local-git/${name}/raw/main/`;
  await expect(
    page.getByRole('link', { name: 'Browse the repository' }),
  ).toHaveAttribute('href', repositoryUrl);

  // The new entity's page, owned by bob's team.
  await openInCatalog.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${name}$`),
  );
  await expect(page.getByRole('heading', { name }).first()).toBeVisible();
  // Registration is immediate, processing is not: on a busy machine the catalog may need a few
  // seconds more, and the page does not refresh itself, so reload as a person would.
  const description = page
    .getByText('Tells shippers that their parcel is on its way.')
    .first();
  await expect(async () => {
    if (!(await description.isVisible())) {
      await page.reload();
      await expect(description).toBeVisible({ timeout: 5_000 });
    }
  }).toPass({ timeout: 90_000 });
  await expect(page.getByText('Payments Team').first()).toBeVisible();

  // TechDocs build from the new repository's docs folder.
  await page.goto(`/docs/default/component/${name}`);
  await expect(page.getByRole('heading', { name: 'Endpoints' })).toBeVisible({
    timeout: 60_000,
  });

  // The repository's files, in the browser that now holds the portal's user cookie.
  await page.goto(repositoryUrl);
  await expect(
    page.getByRole('link', { name: 'catalog-info.yaml' }),
  ).toBeVisible();
  await page.getByRole('link', { name: 'README.md' }).click();
  await expect(
    page.getByText('Tells shippers that their parcel is on its way.'),
  ).toBeVisible();
});
