/*
 * A real Prometheus (Debian's `prometheus` package, installed by scripts/ensure-system-packages.sh
 * metrics) for the tests: its own loopback port, its own temporary storage, a scrape config for
 * the given targets, and the chart's alert rules loaded as a rule file. Never the machine's
 * service.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@portico/test-utils';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export type PromSample = { metric: Record<string, string>; value: number };

export interface TestPrometheus {
  url: string;
  /** An instant query through `/api/v1/query`; fails with Prometheus's error. */
  query(promql: string): Promise<PromSample[]>;
  /** The value of a query that returns at most one sample (0 when it returns none). */
  scalar(promql: string): Promise<number>;
  /** Resolves after Prometheus has scraped every target again (a scrape that began later). */
  nextScrape(): Promise<void>;
  /** `/api/v1/<path>`'s data. */
  api<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  job: string;
  targets: string[];
  /** Short, so tests wait little for their traffic to show. */
  scrapeInterval?: string;
  ruleFiles?: string[];
}

export async function startPrometheus(
  options: StartPrometheusOptions,
): Promise<TestPrometheus> {
  if (!existsSync(PROMETHEUS_BINARY)) {
    throw new Error(
      `${PROMETHEUS_BINARY} is missing: run scripts/ensure-system-packages.sh metrics (Debian package prometheus)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'portico-prometheus-'));
  const port = await freePort();
  const interval = options.scrapeInterval ?? '1s';
  // JSON is YAML.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: [
        {
          job_name: options.job,
          scrape_interval: interval,
          scrape_timeout: interval,
          static_configs: [{ targets: options.targets }],
        },
      ],
    }),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', chunk => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise(resolve => child.once('exit', resolve));

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${path}`);
    const body = await res.json();
    if (body.status !== 'success') {
      throw new Error(`Prometheus ${path}: ${body.errorType}: ${body.error}`);
    }
    return body.data as T;
  };
  const query = async (promql: string) => {
    const data = await api<{ resultType: string; result: any[] }>(
      `query?query=${encodeURIComponent(promql)}`,
    );
    if (data.resultType === 'scalar') {
      return [{ metric: {}, value: Number(data.result[1]) }];
    }
    return data.result.map(r => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  };
  const prometheus: TestPrometheus = {
    url,
    api,
    query,
    scalar: async promql => {
      const samples = await query(promql);
      if (samples.length > 1) {
        throw new Error(`${promql} returned ${samples.length} samples`);
      }
      return samples[0]?.value ?? 0;
    },
    nextScrape: async () => {
      const after = Date.now();
      for (;;) {
        const { activeTargets } = await api<{ activeTargets: any[] }>(
          'targets?state=active',
        );
        if (
          activeTargets.length > 0 &&
          activeTargets.every(
            t =>
              Date.parse(t.lastScrape) > after &&
              t.lastScrapeDuration > 0 &&
              t.health === 'up',
          )
        ) {
          // The samples of a scrape are queryable once it has ended.
          await new Promise(r => setTimeout(r, 100));
          return;
        }
        await new Promise(r => setTimeout(r, 200));
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`)
      .then(r => r.ok)
      .catch(() => false);
    if (ready) return prometheus;
    if (child.exitCode !== null || Date.now() > deadline) {
      await prometheus.stop();
      throw new Error(`Prometheus did not become ready:\n${stderr}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}
