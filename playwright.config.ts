import { defineConfig } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromiumLaunchOptions } from './packages/app/e2e-tests/chromium';

/*
 * Browser tests: the real backend (serving the built app on :7007, SQLite in a fresh temporary
 * folder) and the real local OpenID Connect provider, driven in Debian's Chromium.
 * Build the app first (`bash scripts/build-app-if-changed.sh`); `./portal test` does.
 */
const backendUrl = 'http://localhost:7007';
const idpPort = 7011;

// One set of throwaway secrets for this run, inherited by the servers below.
process.env.AUTH_SESSION_SECRET ??= randomBytes(24).toString('hex');
process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-e2e';
process.env.AUTH_OIDC_METADATA_URL ??= `http://127.0.0.1:${idpPort}/.well-known/openid-configuration`;
process.env.E2E_SERVICE_TOKEN ??= randomBytes(24).toString('hex');
process.env.PORTICO_DATA_DIR ??= mkdtempSync(resolve(tmpdir(), 'portico-e2e-'));

/** Tests that register, unregister or refresh entities or run templates. */
const changingTests = [
  '**/refresh.test.ts',
  '**/scaffolderTasks.test.ts',
  '**/templates.test.ts',
  '**/unregister.test.ts',
];

export default defineConfig({
  timeout: 90_000,
  expect: { timeout: 30_000 },
  // Two tests at a time (with one, Chromium kept the two cores busy about three quarters of the
  // time). The tests that change the catalog or start tasks run after those that only read, so
  // no read sees their changes; they check only what they made themselves, so they may run
  // beside each other.
  workers: 2,
  globalSetup: resolve(__dirname, 'packages/app/e2e-tests/globalSetup.ts'),
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  outputDir: 'node_modules/.cache/e2e-test-results',

  webServer: [
    {
      command: `node packages/dev-idp/src/main.mjs --users demo-data/org.yaml --port ${idpPort}`,
      url: process.env.AUTH_OIDC_METADATA_URL,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command:
        'yarn workspace backend start --config ../../app-config.yaml --config ../app/e2e-tests/app-config.e2e.yaml',
      url: `${backendUrl}/.backstage/health/v1/readiness`,
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],

  use: {
    baseURL: backendUrl,
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    // A failed test keeps its trace: each action with the DOM before and after it. Without the
    // screencast: its frames, captured and encoded for every test that passes too, made the
    // journeys take about 1.8 times as long on 2 cores.
    trace: { mode: 'retain-on-failure', screenshots: false },
    launchOptions: chromiumLaunchOptions,
  },

  projects: [
    {
      name: 'reads',
      testDir: resolve(__dirname, 'packages/app/e2e-tests'),
      testIgnore: changingTests,
    },
    {
      name: 'changes',
      testDir: resolve(__dirname, 'packages/app/e2e-tests'),
      testMatch: changingTests,
      dependencies: ['reads'],
    },
  ],
});
