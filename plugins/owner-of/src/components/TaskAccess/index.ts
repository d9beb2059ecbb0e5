export { TaskAccess } from './TaskAccess';
