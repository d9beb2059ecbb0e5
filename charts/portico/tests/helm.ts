/*
 * Runs the helm binary that scripts/install-tools.js extracts, against this chart, offline.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { installKubeTools } from '../scripts/install-tools';

export const CHART_DIR = path.resolve(__dirname, '..');
export const CI_DIR = path.join(CHART_DIR, 'ci');
export const BAD_VALUES_DIR = path.join(__dirname, 'bad-values');
export const RELEASE = 'harbor';
export const NAMESPACE = 'portal';

/** A rendered Kubernetes object. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: any;
};

export type HelmResult = { code: number; stdout: string; stderr: string };

let helmPath: string | undefined;
let helmHome: string | undefined;

function helmBinary(): string {
  if (!helmPath) {
    helmPath = installKubeTools().helm;
  }
  return helmPath;
}

/** Helm's cache, config and data go to a scratch folder, so runs never touch ~/.config/helm. */
function helmEnv(): NodeJS.ProcessEnv {
  if (!helmHome) {
    helmHome = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-helm-'));
  }
  return {
    PATH: process.env.PATH,
    HOME: helmHome,
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
    // No cluster exists here; an empty kubeconfig keeps helm from looking for one.
    KUBECONFIG: path.join(helmHome, 'kubeconfig'),
  };
}

export function helm(args: string[]): Promise<HelmResult> {
  const binary = helmBinary();
  const env = helmEnv();
  return new Promise(resolve => {
    execFile(
      binary,
      args,
      { env, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) {
          code = typeof error.code === 'number' ? error.code : 1;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Values every rendering starts from: the admin the chart requires (see base-values.yaml). */
export const BASE_VALUES = path.join(__dirname, 'base-values.yaml');

function valuesArgs(valuesFiles: string[], extraArgs: string[]): string[] {
  return [
    ...[BASE_VALUES, ...valuesFiles].flatMap(file => ['--values', file]),
    ...extraArgs,
  ];
}

/** `helm template` with the given values files; rejects with helm's stderr when it fails. */
export async function renderRaw(
  valuesFiles: string[] = [],
  extraArgs: string[] = [],
): Promise<string> {
  const result = await helm([
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...valuesArgs(valuesFiles, extraArgs),
  ]);
  if (result.code !== 0) {
    throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  }
  return result.stdout;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map(doc => {
      if (doc.errors.length > 0) {
        throw new Error(
          `rendered YAML does not parse: ${doc.errors[0].message}`,
        );
      }
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null && doc !== undefined);
}

export type Rendering = { raw: string; manifests: Manifest[] };

export async function render(
  valuesFiles: string[] = [],
  extraArgs: string[] = [],
): Promise<Rendering> {
  const raw = await renderRaw(valuesFiles, extraArgs);
  return { raw, manifests: parseManifests(raw) };
}

export function lint(valuesFiles: string[] = [], extraArgs: string[] = []) {
  return helm([
    'lint',
    '--strict',
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...valuesArgs(valuesFiles, extraArgs),
  ]);
}

/** The chart's ci/*.yaml files, by name. */
export function ciValuesFiles(): string[] {
  return fs
    .readdirSync(CI_DIR)
    .filter(name => name.endsWith('.yaml'))
    .sort();
}

export function findOne(
  manifests: Manifest[],
  kind: string,
  name?: string,
): Manifest {
  const found = manifests.filter(
    m => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${name ? ` named ${name}` : ''}, found ${
        found.length
      }`,
    );
  }
  return found[0];
}

export function findAll(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter(m => m.kind === kind);
}
