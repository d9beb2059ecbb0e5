export { AskForAccess } from './AskForAccess';
export { HiddenEntityAccessRequest } from './HiddenEntityAccessRequest';
