import { Browser, expect, Page } from '@playwright/test';

/**
 * Signs in through the portal's sign-in page and the local OpenID Connect provider's login page,
 * as a person would: the provider opens in a popup where the user is picked.
 */
export async function signIn(page: Page, user: string) {
  await page.goto('/');
  const signInButton = page.getByRole('button', { name: 'Sign In' });
  await expect(signInButton).toBeVisible();
  const popupOpened = page.waitForEvent('popup');
  await signInButton.click();
  const popup = await popupOpened;
  // Listen before clicking: the popup may close as soon as the user is picked.
  const popupClosed = popup.waitForEvent('close');
  await popup
    .getByRole('button', { name: new RegExp(`${user}@harborline\\.example`) })
    .click();
  await popupClosed;
  // The catalog is the landing page of a signed-in user.
  await expect(
    page.getByRole('heading', { name: 'Harborline Catalog' }),
  ).toBeVisible();
}

/** A page in a browser context of its own, signed in as `user`. */
export async function signedInPage(browser: Browser, user: string) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user);
  return page;
}
