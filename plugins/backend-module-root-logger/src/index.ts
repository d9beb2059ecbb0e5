/**
 * Backstage's root logger, finding the configuration's secrets to redact on a worker thread while
 * the backend starts, instead of before.
 *
 * @packageDocumentation
 */

export { rootLoggerWithRedactionsOffThread as default } from './rootLogger';
export {
  rootLoggerWithRedactionsOffThread,
  writeHeldLogLines,
} from './rootLogger';
export { HeldTransport } from './heldTransport';
export { ConfigRedactions } from './configRedactions';
export {
  enumerateConfigSecrets,
  type EnumerationMessage,
  type SecretEnumeration,
} from './secretEnumeration';
