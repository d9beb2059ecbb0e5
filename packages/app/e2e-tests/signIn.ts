import { Browser, BrowserContext, expect, Page } from '@playwright/test';

type Cookies = Awaited<ReturnType<BrowserContext['cookies']>>;

/**
 * What the sign-in page keeps in the browser: the portal's refresh cookie, and the provider the
 * user last signed in with (local storage), which the page tries silently on the next visit.
 */
interface Session {
  cookies: Cookies;
  provider: string;
}

/** Each user's session from their first sign-in in this worker process. */
const sessions = new Map<string, Session>();
const PROVIDER_STORAGE_KEY = '@backstage/core:SignInPage:provider';

const landingHeading = (page: Page) =>
  page.getByRole('heading', { name: 'Harborline Catalog' });

/**
 * Signs in through the portal's sign-in page and the local OpenID Connect provider's login page,
 * as a person would: the provider opens in a popup where the user is picked.
 */
export async function signInThroughProvider(page: Page, user: string) {
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
  await expect(landingHeading(page)).toBeVisible();
  const provider = await page.evaluate(
    key => window.localStorage.getItem(key),
    PROVIDER_STORAGE_KEY,
  );
  expect(provider, 'the sign-in page remembers the provider').toBeTruthy();
  sessions.set(user, {
    cookies: await page.context().cookies(),
    provider: provider!,
  });
}

/**
 * Signs `user` in. The first time in this worker it goes through the provider; later it
 * returns to the portal with the session cookies that sign-in left, as a person's browser does
 * the next day: the app restores the session from the portal's refresh cookie, with no popup.
 */
export async function signIn(page: Page, user: string) {
  const session = sessions.get(user);
  if (!session) {
    await signInThroughProvider(page, user);
    return;
  }
  await page.context().addCookies(session.cookies);
  // Set before the app's scripts run; left alone once the app has written it.
  await page.addInitScript(
    ({ key, provider }) => {
      if (!window.localStorage.getItem(key)) {
        window.localStorage.setItem(key, provider);
      }
    },
    { key: PROVIDER_STORAGE_KEY, provider: session.provider },
  );
  await page.goto('/');
  await expect(landingHeading(page)).toBeVisible();
}

/** A page in a browser context of its own, signed in as `user`. */
export async function signedInPage(browser: Browser, user: string) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user);
  return page;
}
