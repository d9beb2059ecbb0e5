/**
 * Git hosting on the portal's own disk: read-only HTTP access to the
 * repositories at `/api/local-git`, and a URL reader that reads them from
 * disk.
 *
 * @packageDocumentation
 */

export { localGitFeatures as default } from './features';
export { localGitPlugin } from './plugin';
export { localGitUrlReaderFactory } from './urlReader';
export { LocalGitUrlReader } from './LocalGitUrlReader';
