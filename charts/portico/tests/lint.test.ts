/*
 * `helm lint --strict` with the default values and with every ci/*.yaml, and what a packaged
 * chart contains.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHART_DIR, CI_DIR, ciValuesFiles, helm, lint } from './helm';

describe('helm lint --strict', () => {
  it('passes with the default values', async () => {
    const result = await lint();
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  }, 60_000);

  it.each(ciValuesFiles())(
    'passes with ci/%s',
    async file => {
      const result = await lint([path.join(CI_DIR, file)]);
      expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.code).toBe(0);
    },
    60_000,
  );

  it('finds all seven ci values files', () => {
    expect(ciValuesFiles()).toEqual([
      'directory-sync-values.yaml',
      'external-postgresql-values.yaml',
      'ha-values.yaml',
      'httproute-values.yaml',
      'in-cluster-postgresql-values.yaml',
      'ingress-values.yaml',
      'permission-values.yaml',
    ]);
  });
});

describe('helm package', () => {
  it('leaves the test package out of the chart archive', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-package-'));
    try {
      const result = await helm(['package', CHART_DIR, '--destination', out]);
      expect(result.code).toBe(0);
      const archive = path.join(out, 'portico-0.1.0.tgz');
      const entries = execFileSync('tar', ['-tzf', archive], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      expect(entries).toEqual(
        expect.arrayContaining([
          'portico/Chart.yaml',
          'portico/values.yaml',
          'portico/values.schema.json',
          'portico/README.md',
          'portico/templates/deployment.yaml',
          'portico/templates/NOTES.txt',
          'portico/templates/tests/test-readiness.yaml',
        ]),
      );
      for (const entry of entries) {
        expect(entry).not.toMatch(
          /^portico\/(package\.json|tests\/|scripts\/|node_modules\/|\.eslintrc)/,
        );
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
