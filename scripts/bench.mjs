#!/usr/bin/env node
/*
 * One entry for the benchmark and load scripts: `yarn bench <name> [options]` runs the script of
 * that name in its workspace, beside the code it measures; `yarn bench` lists them, and
 * `yarn bench <name> --help` prints a script's options. The scripts share their option parsing,
 * medians and PostgreSQL databases through @portico/test-utils (src/bench). None of them is part
 * of the test suite.
 */
import { spawnSync } from 'node:child_process';

const BENCHMARKS = {
  'owner-of': {
    workspace: '@portico/plugin-permission-backend-module-owner-of',
    script: 'benchmark',
    what: 'the owner-of policy on the real catalog, four backends side by side (docs/owner-of-benchmark.md)',
  },
  scale: {
    workspace: '@portico/plugin-permission-backend-module-owner-of',
    script: 'scale',
    what: 'the catalog at 100,000+ components with the policy: ingestion, table and index sizes, latency and plans (docs/scale.md)',
  },
  'directory-sync': {
    workspace: '@portico/plugin-catalog-backend-module-ldap-guarded',
    script: 'benchmark',
    what: 'the organization sync at scale, LDAP against YAML (docs/directory-sync-benchmark.md)',
  },
  'catalog-first-rows': {
    workspace: 'app',
    script: 'benchmark:catalog',
    what: "the catalog page's first rows in a browser, paginated against unpaginated (docs/catalog-performance.md)",
  },
  'first-load': {
    workspace: 'app',
    script: 'measure-first-load',
    what: 'how soon a running portal is usable: sign-in page, first catalog rows (README.md)',
  },
  'load-test': {
    workspace: 'backend',
    script: 'load-test',
    what: 'the production image under autocannon with signed-in users (docs/load-test.md)',
  },
  'metrics-overhead': {
    workspace: 'backend',
    script: 'metrics-overhead',
    what: 'what metrics cost, off and on side by side (docs/monitoring.md)',
  },
  memory: {
    workspace: 'backend',
    script: 'memory',
    what: "the production image's memory after ingestion, as shipped and with other settings (docs/stock-comparison.md)",
  },
  'stock-compare': {
    workspace: 'backend',
    script: 'stock-compare',
    what: 'Portico beside a stock create-app backend of the same release (docs/stock-comparison.md)',
  },
};

const [name, ...args] = process.argv.slice(2);
const benchmark = BENCHMARKS[name];
if (!benchmark) {
  const width = Math.max(...Object.keys(BENCHMARKS).map(n => n.length));
  const list = Object.entries(BENCHMARKS)
    .map(([n, b]) => `  ${n.padEnd(width)}  ${b.what}`)
    .join('\n');
  const usage = `Usage: yarn bench <name> [options]   (--help after a name lists its options)\n\n${list}\n`;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    process.exit(0);
  }
  process.stderr.write(`No benchmark named '${name}'.\n\n${usage}`);
  process.exit(2);
}
const { status, signal } = spawnSync(
  'yarn',
  ['workspace', benchmark.workspace, benchmark.script, ...args],
  { stdio: 'inherit' },
);
process.exit(status ?? (signal ? 1 : 0));
