import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { Config } from '@backstage/config';
import { HeldTransport } from './heldTransport';
import { SecretEnumeration, enumerateConfigSecrets } from './secretEnumeration';

/**
 * Keeps a logger's redactions in step with the configuration: while the secrets of the current
 * configuration are being found, its lines are held; once found, the logger redacts them and the
 * held lines are written, redacted with every secret seen so far. A line is never written before
 * the secrets of the configuration it was logged under are known.
 */
export class ConfigRedactions {
  readonly #logger: WinstonLogger;
  readonly #transport: HeldTransport;
  readonly #enumerate: (config: Config) => Promise<SecretEnumeration>;
  readonly #secrets = new Set<string>();
  #latest = 0;
  #current: Promise<void> = Promise.resolve();

  constructor(options: {
    logger: WinstonLogger;
    transport: HeldTransport;
    enumerate?: (config: Config) => Promise<SecretEnumeration>;
  }) {
    this.#logger = options.logger;
    this.#transport = options.transport;
    this.#enumerate = options.enumerate ?? (c => enumerateConfigSecrets(c));
  }

  /**
   * Finds the secrets of `config` and releases the held lines once the latest configuration's
   * are known. Rejects, still holding, if they cannot be found.
   */
  refresh(config: Config): Promise<void> {
    const refreshing = this.#refresh(config, ++this.#latest);
    this.#current = refreshing.catch(() => {});
    return refreshing;
  }

  /** Resolves once the latest refresh has ended, its lines written or, if it failed, still held. */
  async settled(): Promise<void> {
    let current;
    do {
      current = this.#current;
      await current;
    } while (current !== this.#current);
  }

  async #refresh(config: Config, run: number): Promise<void> {
    this.#transport.hold();
    const { secrets, messages } = await this.#enumerate(config);
    for (const secret of secrets) {
      this.#secrets.add(secret);
    }
    this.#logger.addRedactions(secrets);
    for (const { level, message } of messages) {
      this.#logger[level](message);
    }
    if (run === this.#latest) {
      this.#transport.release(this.#secrets);
    }
  }
}
