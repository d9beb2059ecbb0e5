/*
 * Values that must not render: helm exits non-zero and its message names the offending key.
 */
import path from 'node:path';
import {
  BAD_VALUES_DIR,
  BASE_VALUES,
  CHART_DIR,
  RELEASE,
  helm,
  lint,
} from './helm';

/** Caught by values.schema.json: both `helm template` and `helm lint` fail. */
const schemaCases: Array<[file: string, expected: RegExp[]]> = [
  ['wrong-type.yaml', [/at '\/replicaCount': got string, want integer/]],
  ['unknown-key.yaml', [/additional properties 'replicas' not allowed/]],
  [
    'sqlite-replicas.yaml',
    [
      /at '\/replicaCount': maximum: got 3, want 1/,
      /at '\/database\/sqlite\/enabled': value must be false/,
    ],
  ],
];

/**
 * Caught by the templates (`fail`): `helm template` and `helm install` fail. Helm's lint mode
 * only reports template failures as INFO lines and exits 0.
 */
const templateCases: Array<[file: string, expected: RegExp]> = [
  [
    'no-database.yaml',
    /choose exactly one database: set postgresql\.external\.host.*chosen now: none/,
  ],
  [
    'external-postgresql-without-secret.yaml',
    /postgresql\.external\.existingSecret is required/,
  ],
];

function templateWith(file: string, extraArgs: string[] = []) {
  return helm([
    'template',
    RELEASE,
    CHART_DIR,
    ...extraArgs,
    '--values',
    BASE_VALUES,
    '--values',
    path.join(BAD_VALUES_DIR, file),
  ]);
}

describe('bad values', () => {
  it.each(schemaCases)(
    '%s: helm template fails and names the key',
    async (file, expected) => {
      const result = await templateWith(file);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      for (const pattern of expected) {
        expect(result.stderr).toMatch(pattern);
      }
    },
    60_000,
  );

  it.each(schemaCases)(
    '%s: helm lint fails and names the key',
    async (file, expected) => {
      const result = await lint([path.join(BAD_VALUES_DIR, file)]);
      expect(result.code).not.toBe(0);
      for (const pattern of expected) {
        expect(`${result.stdout}${result.stderr}`).toMatch(pattern);
      }
    },
    60_000,
  );

  it.each(templateCases)(
    '%s: helm template fails with a message naming the keys',
    async (file, expected) => {
      const result = await templateWith(file);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(expected);
    },
    60_000,
  );

  it('the template itself refuses SQLite with several replicas when the schema is skipped', async () => {
    const result = await templateWith('sqlite-replicas.yaml', [
      '--skip-schema-validation',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'database.sqlite.enabled allows a single replica',
    );
  }, 60_000);

  it.each([
    [
      ['--set', 'autoscaling.enabled=true'],
      /'\/autoscaling\/enabled': value must be false/,
    ],
    [
      ['--set', 'image.pullPolicy=Sometimes'],
      /'\/image\/pullPolicy': value must be one of/,
    ],
    [
      ['--set', 'postgresql.external.sslMode=maybe'],
      /'\/postgresql\/external\/sslMode': value must be one of/,
    ],
    [['--set', 'replicaCount=0'], /'\/replicaCount': minimum: got 0, want 1/],
    [
      ['--set', 'permission.adminRefs[0]=alice'],
      /'\/permission\/adminRefs\/0': 'alice' does not match pattern/,
    ],
  ])(
    'rejects %j',
    async (args, expected) => {
      const result = await helm(['template', RELEASE, CHART_DIR, ...args]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(expected);
    },
    60_000,
  );
});

describe('an owner-of policy without an admin', () => {
  const adminMessage =
    /permission\.adminRefs needs at least one user or group while permission\.enabled is true \(the default\)/;

  it('refuses the default values, naming the key, in the schema', async () => {
    const result = await helm(['template', RELEASE, CHART_DIR]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /at '\/permission\/adminRefs': minItems: got 0, want 1/,
    );
  }, 60_000);

  it('refuses it in the templates too, with a message saying what to set', async () => {
    const result = await helm([
      'template',
      RELEASE,
      CHART_DIR,
      '--skip-schema-validation',
      '--values',
      path.join(BAD_VALUES_DIR, 'no-admin.yaml'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(adminMessage);
  }, 60_000);

  it('renders without admins only when permission checks are off', async () => {
    const result = await helm([
      'template',
      RELEASE,
      CHART_DIR,
      '--set',
      'permission.enabled=false',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);
});
