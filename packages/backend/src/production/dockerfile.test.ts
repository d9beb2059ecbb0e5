/*
 * Static checks of the image definition: what it is built from, what it runs, that every file
 * it copies reaches Docker through .dockerignore, and that the Helm chart runs the same command.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  baseImages,
  contextCopySources,
  envValue,
  imageCommand,
  isExcludedFromContext,
  parseDockerfile,
} from './__testUtils__/dockerfile';
import {
  bundleTarFlags,
  dockerfilePath,
  dockerignorePath,
  imageFiles,
  repoRoot,
} from './__testUtils__/imageRecipe';

const instructions = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
const dockerignore = readFileSync(dockerignorePath, 'utf8');

describe('packages/backend/Dockerfile', () => {
  it('builds on the slim Debian image of the Node major the project runs on', () => {
    const nodeMajor = process.versions.node.split('.')[0];
    const stages = new Set(
      instructions
        .filter(i => i.keyword === 'FROM')
        .map(i => i.args.match(/\s+AS\s+(\S+)$/i)?.[1])
        .filter(Boolean),
    );
    const external = baseImages(instructions).filter(b => !stages.has(b));
    expect(new Set(external)).toEqual(
      new Set([`node:${nodeMajor}-bookworm-slim`]),
    );
  });

  it('runs the backend as the unprivileged node user, in production mode', () => {
    const users = instructions.filter(i => i.keyword === 'USER');
    expect(users[users.length - 1].args).toBe('node');
    expect(envValue(instructions, 'NODE_ENV')).toBe('production');
    const workdirs = instructions.filter(i => i.keyword === 'WORKDIR');
    expect(workdirs[workdirs.length - 1].args).toBe('/app');
  });

  it('starts the backend after OpenTelemetry, with the image config files, production last', () => {
    expect(imageCommand(instructions)).toEqual([
      'node',
      '--require',
      './instrumentation.js',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ]);
  });

  it('keeps compilers out of the final image', () => {
    const finalStageStart = instructions
      .map((i, index) => (i.keyword === 'FROM' ? index : -1))
      .filter(index => index >= 0)
      .pop()!;
    const finalRuns = instructions
      .slice(finalStageStart)
      .filter(i => i.keyword === 'RUN')
      .map(i => i.args)
      .join('\n');
    expect(finalRuns).toContain('mkdocs');
    expect(finalRuns).not.toMatch(/\b(g\+\+|gcc|make|build-essential)\b/);
  });

  it('unpacks the bundle as the tested recipe does', () => {
    const untar = instructions.find(
      i => i.keyword === 'RUN' && i.args.includes('tar xzf bundle.tar.gz'),
    );
    expect(untar?.args).toContain(
      `tar xzf bundle.tar.gz ${bundleTarFlags.join(' ')}`,
    );
  });

  it('copies from the repository exactly the files the tested recipe uses', () => {
    expect(new Set(contextCopySources(instructions))).toEqual(
      new Set(imageFiles),
    );
  });

  it('gets every file it copies through .dockerignore', () => {
    for (const source of contextCopySources(instructions)) {
      expect([source, isExcludedFromContext(source, dockerignore)]).toEqual([
        source,
        false,
      ]);
    }
    expect(
      isExcludedFromContext('.yarn/releases/yarn-4.13.0.cjs', dockerignore),
    ).toBe(false);
    // The lockfile refers to these; without them the image's install fails.
    const patches = readdirSync(join(repoRoot, '.yarn/patches'));
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      expect(
        isExcludedFromContext(`.yarn/patches/${patch}`, dockerignore),
      ).toBe(false);
    }
  });

  it.each([
    '.git/config',
    'node_modules/pg/package.json',
    'packages/backend/src/index.ts',
    'packages/backend/node_modules/.bin/tsc',
    'plugins/owner-of/src/index.ts',
    '.yarn/cache/pg-npm-8.11.3.zip',
    '.yarn/install-state.gz',
    '.data/sqlite/catalog.sqlite',
    'app-config.local.yaml',
    'github-credentials.yaml',
    '.toolchain/node/bin/node',
  ])('keeps %s out of the build context', path => {
    expect(isExcludedFromContext(path, dockerignore)).toBe(true);
  });
});

describe('the Helm chart', () => {
  it("repeats the image's command before its own config files", () => {
    const template = readFileSync(
      join(repoRoot, 'charts/portico/templates/deployment.yaml'),
      'utf8',
    );
    const command = JSON.parse(template.match(/command:\s*(\[.*\])/)![1]);
    const args = template
      .slice(template.indexOf('args:'))
      .split('\n')
      .slice(1)
      .map(line => line.trim())
      .filter(line => line.startsWith('- '))
      .map(line => line.slice(2).trim());
    expect([...command, ...args.slice(0, 4)]).toEqual(
      imageCommand(instructions),
    );
  });
});
