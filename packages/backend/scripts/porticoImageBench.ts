/*
 * Portico's production image as the benchmark scripts start it: on PostgreSQL under a database
 * prefix of its own, with a generated catalog file and the demo organization as file locations,
 * the owner-of policy on, and the catalog's processing and the search collators pushed beyond
 * the run so that background work does not compete with what is measured.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  ImageBackend,
  postgresEnvFor,
  startImageBackend,
} from '../src/production/__testUtils__/imageBackend';

/** Beyond the run: the search collators must not index while requests are measured. */
export const quietSchedule = {
  frequency: { hours: 24 },
  timeout: { minutes: 30 },
  initialDelay: { hours: 1 },
};

/** Catalog settings that keep the processing loop from running again during a run. */
export const quietCatalog = { processingInterval: { hours: 24 } };

/** The members of this group are Portico's admins (permission.adminRefs). */
export const BENCH_ADMIN_GROUP = 'group:default/platform-team';

export interface PorticoImageRun {
  backend: ImageBackend;
  /** Milliseconds from spawn to readiness 200. */
  readyMs: number;
}

export async function startPorticoImage(options: {
  imageDir: string;
  name: string;
  port: number;
  /** Database prefix: a fresh one ingests, an earlier run's one restarts on its catalog. */
  prefix: string;
  postgresUrl: string;
  catalogFile: string;
  orgFile: string;
  /** A static token's external access entry, for the script's own catalog calls. */
  access: { config: object };
  idp: { metadataUrl: string };
  sessionSecret: string;
  /** More environment for the process, e.g. allocator settings. */
  env?: Record<string, string>;
  nodeOptions?: string[];
}): Promise<PorticoImageRun> {
  const started = performance.now();
  const backend = await startImageBackend({
    imageDir: options.imageDir,
    name: options.name,
    port: options.port,
    nodeOptions: options.nodeOptions,
    readyTimeoutMs: 300_000,
    env: {
      ...postgresEnvFor(options.postgresUrl),
      AUTH_OIDC_METADATA_URL: options.idp.metadataUrl,
      AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID!,
      AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET!,
      AUTH_SESSION_SECRET: options.sessionSecret,
      ...options.env,
    },
    config: {
      backend: {
        database: { prefix: options.prefix },
        auth: { externalAccess: [options.access.config] },
      },
      permission: { adminRefs: [BENCH_ADMIN_GROUP] },
      catalog: {
        locations: [
          {
            type: 'file',
            target: options.orgFile,
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: options.catalogFile },
        ],
        ...quietCatalog,
      },
      search: {
        collators: {
          catalog: { schedule: quietSchedule },
          techdocs: { schedule: quietSchedule },
        },
      },
    } as any,
  });
  return { backend, readyMs: performance.now() - started };
}

/** GET a catalog path with a token; fails on anything but 200. */
export async function getCatalogJson(
  baseUrl: string,
  path: string,
  token: string,
) {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/** How many entities of a kind the caller may list. */
export async function entityCount(
  baseUrl: string,
  token: string,
  kind: 'component' | 'user',
): Promise<number> {
  return (
    await getCatalogJson(
      baseUrl,
      `/api/catalog/entities/by-query?filter=kind=${kind}&limit=0`,
      token,
    )
  ).totalItems as number;
}

/** A process's resident set size in MiB, from /proc. */
export function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}
