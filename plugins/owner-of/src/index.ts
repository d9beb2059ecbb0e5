export { ownerOfPlugin as default } from './plugin';
