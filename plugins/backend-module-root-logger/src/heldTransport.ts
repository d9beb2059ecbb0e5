import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { Logform } from 'winston';
import TransportStream from 'winston-transport';

type LogInfo = Logform.TransformableInfo;

/**
 * A winston transport that holds the lines it is given while the secrets to redact are not yet
 * known, and writes them to its target once they are, redacted by Backstage's own redacter.
 *
 * The logger's formats (level filter, JSON or colour, redaction) run when a line is logged, so a
 * held line is already formatted; redacting its text afterwards gives the same line as redacting
 * it then would have, because the redacter only replaces the secrets in the final text.
 */
export class HeldTransport extends TransportStream {
  readonly #target: TransportStream;
  #held: LogInfo[] | undefined = [];

  constructor(target: TransportStream) {
    super();
    this.#target = target;
  }

  /** Lines waiting for their redactions. */
  get heldLines(): number {
    return this.#held?.length ?? 0;
  }

  /** Holds lines from now on, until the next release. */
  hold(): void {
    this.#held ??= [];
  }

  /** Writes the held lines with every secret in `secrets` redacted, and stops holding. */
  release(secrets: Iterable<string>): void {
    const held = this.#held;
    if (!held) {
      return;
    }
    this.#held = undefined;
    const redacter = WinstonLogger.redacter();
    redacter.add(secrets);
    for (const info of held) {
      this.#write(redacter.format.transform(info, {}) as LogInfo);
    }
  }

  override log(info: LogInfo, next: () => void): void {
    if (this.#held) {
      this.#held.push(info);
    } else {
      this.#write(info);
    }
    next();
  }

  #write(info: LogInfo): void {
    this.#target.log?.(info, () => {});
  }
}
