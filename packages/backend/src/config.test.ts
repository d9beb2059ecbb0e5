import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { repoRoot } from '@portico/test-utils';

jest.setTimeout(180_000);

/** Runs the same strict check as `./portal start` does before starting anything. */
async function checkConfig(...files: string[]) {
  const cli = require.resolve('@backstage/cli/bin/backstage-cli', {
    paths: [repoRoot],
  });
  const args = [cli, 'config:check', '--strict'];
  for (const file of files) args.push('--config', file);
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        AUTH_SESSION_SECRET: 'x',
        AUTH_OIDC_CLIENT_ID: 'x',
        AUTH_OIDC_CLIENT_SECRET: 'x',
        AUTH_OIDC_METADATA_URL: 'http://127.0.0.1:9/',
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_USER: 'x',
        POSTGRES_PASSWORD: 'x',
      },
    });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: `${stdout}\n${stderr}` };
  }
}

describe('app-config validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-config-'));
  const overlay = (name: string, yaml: string) => {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    return file;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the committed configuration, development and production', async () => {
    const result = await checkConfig(
      join(repoRoot, 'app-config.yaml'),
      join(repoRoot, 'app-config.production.yaml'),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('rejects a value of the wrong type and names the key', async () => {
    const result = await checkConfig(
      join(repoRoot, 'app-config.yaml'),
      overlay('wrong-type.yaml', 'catalog:\n  locations: yes\n'),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain('Config must be array');
    expect(result.output).toContain('/catalog/locations');
  });

  it('rejects a value outside the allowed ones and names the key', async () => {
    const result = await checkConfig(
      join(repoRoot, 'app-config.yaml'),
      overlay('bad-enum.yaml', 'techdocs:\n  builder: remote\n'),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain('/techdocs/builder');
  });

  it('rejects a misspelled key and names it', async () => {
    const result = await checkConfig(
      join(repoRoot, 'app-config.yaml'),
      overlay('typo.yaml', 'permission:\n  enabeld: true\n'),
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain('additionalProperty=enabeld');
    expect(result.output).toContain('/permission');
  });
});

describe('production permissions', () => {
  it('carry no admin from the demo: production names its own', async () => {
    const { appConfigs } = await loadConfig({
      configRoot: repoRoot,
      configTargets: [
        { path: join(repoRoot, 'app-config.yaml') },
        { path: join(repoRoot, 'app-config.production.yaml') },
      ],
    });
    const config = ConfigReader.fromConfigs(appConfigs);
    expect(config.getBoolean('permission.enabled')).toBe(true);
    expect(config.getStringArray('permission.adminRefs')).toEqual([]);
  });
});
