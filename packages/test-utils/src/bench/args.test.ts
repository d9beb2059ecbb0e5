import { benchUsage, parseBenchArgv } from './args';

const command = {
  usage: 'yarn bench example',
  description: 'Measures an example.',
  options: {
    entities: {
      type: 'integer',
      default: 10_000,
      description: 'Entities to seed',
    },
    users: {
      type: 'list',
      default: ['alice', 'bob'],
      description: 'Users to sign in',
    },
    profile: { type: 'string', description: 'A folder for CPU profiles' },
    url: {
      type: 'string',
      default: 'http://localhost:7007',
      description: 'The portal',
    },
    postgres: { type: 'boolean', description: 'Run on PostgreSQL' },
  },
} as const;

describe('parseBenchArgv', () => {
  it('gives the defaults when nothing is passed', () => {
    expect(parseBenchArgv(command, [])).toEqual({
      entities: 10_000,
      users: ['alice', 'bob'],
      profile: undefined,
      url: 'http://localhost:7007',
      postgres: false,
    });
  });

  it('reads every kind of option, with a space or an equals sign', () => {
    expect(
      parseBenchArgv(command, [
        '--entities',
        '200',
        '--users=carol, dave,',
        '--profile',
        '/tmp/profiles',
        '--postgres',
      ]),
    ).toEqual({
      entities: 200,
      users: ['carol', 'dave'],
      profile: '/tmp/profiles',
      url: 'http://localhost:7007',
      postgres: true,
    });
  });

  it('refuses integers that are not positive, and unknown options, naming them', () => {
    for (const bad of ['0', '-3', '1.5', 'ten']) {
      expect(() => parseBenchArgv(command, [`--entities=${bad}`])).toThrow(
        `--entities must be a positive integer, got '${bad}'`,
      );
    }
    expect(() => parseBenchArgv(command, ['--entities'])).toThrow(/--entities/);
    expect(() => parseBenchArgv(command, ['--entites', '200'])).toThrow(
      /--entites/,
    );
    expect(() => parseBenchArgv(command, ['extra'])).toThrow(/extra/);
  });

  it('answers --help and -h with no values, and the usage lists every option with its default', () => {
    expect(parseBenchArgv(command, ['--help'])).toBeUndefined();
    expect(parseBenchArgv(command, ['-h', '--entities', '5'])).toBeUndefined();
    const usage = benchUsage(command);
    expect(usage).toContain('Usage: yarn bench example [options]');
    expect(usage).toContain('Measures an example.');
    expect(usage).toMatch(
      /--entities <n>\s+Entities to seed \(default: 10000\)/,
    );
    expect(usage).toMatch(
      /--users <a,b,...>\s+Users to sign in \(default: alice,bob\)/,
    );
    expect(usage).toMatch(/--profile <value>\s+A folder for CPU profiles\n/);
    expect(usage).toMatch(/--postgres\s+Run on PostgreSQL\n/);
    expect(usage).toMatch(/--help\s+Prints this text/);
  });
});
