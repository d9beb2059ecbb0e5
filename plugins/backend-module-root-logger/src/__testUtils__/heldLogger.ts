import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { MESSAGE } from 'triple-beam';
import { format } from 'winston';
import TransportStream from 'winston-transport';
import { HeldTransport } from '../heldTransport';

/** A transport that keeps the text of every line it is given. */
export class LineCollector extends TransportStream {
  readonly lines: string[] = [];
  override log(info: any, next: () => void) {
    this.lines.push(info[MESSAGE]);
    next();
  }
  /** The `message` of each line, which the JSON format writes. */
  get messages(): string[] {
    return this.lines.map(line => JSON.parse(line).message);
  }
}

/** A JSON logger writing through a HeldTransport to a LineCollector. */
export function heldLogger() {
  const collector = new LineCollector();
  const transport = new HeldTransport(collector);
  const logger = WinstonLogger.create({
    format: format.json(),
    transports: [transport],
  });
  return { collector, transport, logger };
}

/** Winston hands lines to its transports through a stream; let them through. */
export const flush = () => new Promise(resolve => setImmediate(resolve));
