import { parseArgs } from 'node:util';

/** One command-line option of a benchmark or load script. */
export type BenchOption =
  /** A positive integer. */
  | { type: 'integer'; default: number; description: string }
  | { type: 'string'; default?: string; description: string }
  /** A flag: true when given. */
  | { type: 'boolean'; description: string }
  /** Comma-separated values. */
  | { type: 'list'; default: readonly string[]; description: string };

/** What a script accepts: shown by `--help`. */
export type BenchCommand<O extends Record<string, BenchOption>> = {
  /** How the script is run, e.g. `yarn bench owner-of`. */
  usage: string;
  /** One paragraph: what it measures and where its results are documented. */
  description: string;
  options: O;
};

type ValueOf<T extends BenchOption> = T extends { type: 'integer' }
  ? number
  : T extends { type: 'boolean' }
  ? boolean
  : T extends { type: 'list' }
  ? string[]
  : T extends { default: string }
  ? string
  : string | undefined;

/** The parsed options, typed after their declaration. */
export type BenchArgs<O extends Record<string, BenchOption>> = {
  [K in keyof O]: ValueOf<O[K]>;
};

/** The text `--help` prints. */
export function benchUsage<O extends Record<string, BenchOption>>(
  command: BenchCommand<O>,
): string {
  const placeholders: Record<BenchOption['type'], string> = {
    integer: ' <n>',
    string: ' <value>',
    boolean: '',
    list: ' <a,b,...>',
  };
  const rows = Object.entries(command.options).map(([name, option]) => {
    let fallback = '';
    if (option.type === 'list') {
      fallback = ` (default: ${option.default.join(',')})`;
    } else if (option.type !== 'boolean' && option.default !== undefined) {
      fallback = ` (default: ${option.default})`;
    }
    return {
      flag: `--${name}${placeholders[option.type]}`,
      text: `${option.description}${fallback}`,
    };
  });
  const width = Math.max(...rows.map(r => r.flag.length), '--help'.length);
  return [
    `Usage: ${command.usage} [options]`,
    '',
    command.description,
    '',
    'Options:',
    ...rows.map(r => `  ${r.flag.padEnd(width)}  ${r.text}`),
    `  ${'--help'.padEnd(width)}  Prints this text`,
    '',
  ].join('\n');
}

/**
 * Parses `argv` (the arguments after the script) against the declared
 * options: unknown options, missing values and integers that are not
 * positive throw, naming the option. Undefined when `--help` or `-h` is given.
 */
export function parseBenchArgv<O extends Record<string, BenchOption>>(
  command: BenchCommand<O>,
  argv: string[],
): BenchArgs<O> | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(
        Object.entries(command.options).map(([name, option]) => [
          name,
          { type: option.type === 'boolean' ? 'boolean' : 'string' },
        ]),
      ),
    } as Record<string, { type: 'boolean' | 'string'; short?: string }>,
  });
  if (values.help) {
    return undefined;
  }
  const result: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(command.options)) {
    const given = values[name];
    switch (option.type) {
      case 'boolean':
        result[name] = given === true;
        break;
      case 'integer': {
        const value = given === undefined ? option.default : Number(given);
        if (!Number.isInteger(value) || value <= 0) {
          throw new Error(
            `--${name} must be a positive integer, got '${String(given)}'`,
          );
        }
        result[name] = value;
        break;
      }
      case 'list':
        result[name] =
          given === undefined
            ? [...option.default]
            : String(given)
                .split(',')
                .map(v => v.trim())
                .filter(Boolean);
        break;
      default:
        result[name] = given ?? option.default;
    }
  }
  return result as BenchArgs<O>;
}

/**
 * The options of a benchmark or load script, from `process.argv`. `--help`
 * prints the usage and exits; a bad option prints its problem and the usage,
 * and exits with status 2.
 */
export function parseBenchArgs<O extends Record<string, BenchOption>>(
  command: BenchCommand<O>,
): BenchArgs<O> {
  let args: BenchArgs<O> | undefined;
  try {
    args = parseBenchArgv(command, process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `${(error as Error).message}\n\n${benchUsage(command)}`,
    );
    process.exit(2);
  }
  if (!args) {
    process.stdout.write(benchUsage(command));
    process.exit(0);
  }
  return args;
}
