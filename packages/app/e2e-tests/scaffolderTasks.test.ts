import { expect, Page, test } from '@playwright/test';
import { signedInPage } from './signIn';

/**
 * Runs the restricted payments incident review template and returns the task's id. bob is asked
 * one page more than other members (a parameter page tagged for him).
 */
async function runIncidentReview(page: Page, summary: string, pages: number) {
  await page.goto('/create');
  const card = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Payments incident review' });
  await card.getByRole('button', { name: 'Choose' }).click();
  await page.getByRole('textbox', { name: 'Summary' }).fill(summary);
  for (let i = 1; i < pages; i++) {
    await page.getByRole('button', { name: 'Next' }).click();
  }
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** The task ids the task list shows the user with its owner filter on "All". */
async function listedTasks(page: Page, expectedAtLeast: number) {
  await page.goto('/create/tasks');
  await page.getByText('All', { exact: true }).click();
  const links = page.locator('a[href*="/create/tasks/"]');
  if (expectedAtLeast > 0) {
    await expect(links.nth(expectedAtLeast - 1)).toBeVisible();
  } else {
    await expect(page.getByText('No records to display')).toBeVisible();
  }
  const hrefs = await links.evaluateAll(elements =>
    elements.map(e => e.getAttribute('href') ?? ''),
  );
  return new Set(hrefs.map(href => href.split('/').pop()));
}

test("a member's task list holds only their own runs, an admin's holds everyone's", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const stamp = Date.now().toString(36);

  const gustavo = await signedInPage(browser, 'gustavo');
  const gustavosRun = await runIncidentReview(
    gustavo,
    `Refunds stuck ${stamp}`,
    1,
  );
  const bob = await signedInPage(browser, 'bob');
  const bobsRun = await runIncidentReview(
    bob,
    `Settlement ran twice ${stamp}`,
    2,
  );
  await expect(bob.getByText('Record the review')).toBeVisible();

  // The task page says who may see and cancel the run, and why.
  const bobsPanel = bob.getByRole('complementary', {
    name: 'Access to this task',
  });
  await expect(bobsPanel).toContainText(
    'visible to the user who started it (user:default/bob) and admins',
  );
  await expect(bobsPanel).toContainText(
    'cancel: allowed — user:default/bob started this task',
  );

  // The template's Access card says why bob may run it and who sees its runs.
  await bob.goto('/catalog/default/template/payments-incident-review');
  await expect(bob.getByTestId('my-access-run')).toContainText(
    'run: allowed — user:default/bob may run this template because they may read it',
  );
  await expect(bob.getByTestId('my-access-tasks')).toContainText(
    'visible to the user who started it and to admins',
  );

  // bob's list, even with "All", holds his runs and not gustavo's (same team, other author).
  const bobSees = await listedTasks(bob, 1);
  expect(bobSees.has(bobsRun)).toBe(true);
  expect(bobSees.has(gustavosRun)).toBe(false);

  // alice is an admin: she sees both.
  const alice = await signedInPage(browser, 'alice');
  const aliceSees = await listedTasks(alice, 2);
  expect(aliceSees.has(bobsRun)).toBe(true);
  expect(aliceSees.has(gustavosRun)).toBe(true);
  await alice.goto(`/create/tasks/${bobsRun}`);
  await expect(
    alice.getByRole('complementary', { name: 'Access to this task' }),
  ).toContainText(
    'read: allowed — user:default/alice is an admin through group:default/platform-team',
  );

  // dave (support-team) sees neither the restricted template nor anyone's run.
  const dave = await signedInPage(browser, 'dave');
  await dave.goto('/create');
  await expect(
    dave.getByText('Documentation site', { exact: true }),
  ).toBeVisible();
  await expect(dave.getByText('Payments incident review')).toHaveCount(0);
  await dave.goto('/catalog/default/template/docs-site');
  await expect(dave.getByTestId('my-access-run')).toContainText(
    'kind Template is readable by every signed-in user',
  );
  const daveSees = await listedTasks(dave, 0);
  expect(daveSees.has(bobsRun)).toBe(false);
  expect(daveSees.has(gustavosRun)).toBe(false);
  // Nor does bob's task page tell dave anything about the run.
  const explained = dave.waitForResponse(response =>
    response.url().includes(`/owner-of/explain?taskId=${bobsRun}`),
  );
  const read = dave.waitForResponse(response =>
    response.url().endsWith(`/api/scaffolder/v2/tasks/${bobsRun}`),
  );
  await dave.goto(`/create/tasks/${bobsRun}`);
  expect([(await explained).status(), (await read).status()]).toEqual([
    404, 403,
  ]);
  await expect(dave.getByText(/Settlement ran twice/)).toHaveCount(0);
  await expect(dave.getByTestId('task-access')).toHaveCount(0);
});
