import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { format, transports } from 'winston';
import { ConfigRedactions } from './configRedactions';
import { HeldTransport } from './heldTransport';
import { readRootLoggerConfig } from './loggerConfig';

/** The redactions of the process's root logger, once it is created. */
let rootRedactions: ConfigRedactions | undefined;

/**
 * Waits, at most `timeoutMs`, until the lines the root logger holds are written: for a process
 * about to exit on a failed start, so that its log shows what happened before the failure.
 */
export async function writeHeldLogLines(timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    rootRedactions?.settled(),
    new Promise(resolve => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Backstage's root logger (`rootLoggerServiceFactory` of `@backstage/backend-defaults`: the same
 * winston logger, formats, `backend.logger` settings and redaction of every configuration value
 * marked `@visibility secret`), except that it does not wait for the secrets to be found before
 * the backend goes on starting: they are found on a worker thread while the plugins start, and
 * the lines logged meanwhile are held until they can be written redacted.
 */
export const rootLoggerWithRedactionsOffThread = createServiceFactory({
  service: coreServices.rootLogger,
  deps: { config: coreServices.rootConfig },
  async factory({ config }) {
    const loggerConfig = readRootLoggerConfig(config);
    const transport = new HeldTransport(new transports.Console());
    const logger = WinstonLogger.create({
      meta: { service: 'backstage', ...loggerConfig.meta },
      level: process.env.LOG_LEVEL || loggerConfig.level || 'info',
      format:
        process.env.NODE_ENV === 'production'
          ? format.json()
          : WinstonLogger.colorFormat(),
      transports: [transport],
    });
    logger.setLevelOverrides(loggerConfig.overrides);
    config.subscribe?.(() =>
      logger.setLevelOverrides(readRootLoggerConfig(config).overrides),
    );

    const redactions = new ConfigRedactions({ logger, transport });
    rootRedactions = redactions;
    const refresh = () =>
      redactions.refresh(config).catch(error => {
        // Backstage's root logger fails the start when it cannot find the secrets; so does this
        // one, without writing a line that might hold one.
        process.stderr.write(
          `The configuration's secrets could not be enumerated for redaction, so no log line can be written safely: ${error}\n`,
        );
        process.exit(1);
      });
    void refresh();
    config.subscribe?.(refresh);
    process.once('exit', () => {
      if (transport.heldLines > 0) {
        process.stderr.write(
          `${transport.heldLines} log lines were withheld: the process ended before the configuration's secrets were known.\n`,
        );
      }
    });
    return logger;
  },
});
