export { UnregisterDialog } from './UnregisterDialog';
