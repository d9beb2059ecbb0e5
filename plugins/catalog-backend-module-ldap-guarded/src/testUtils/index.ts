/**
 * A real OpenLDAP server for tests and benchmarks, and the Harborline
 * directory: for the backend's end-to-end tests and the sync benchmark.
 *
 * @packageDocumentation
 */

export { Slapd } from './slapd';
export {
  GROUPS_DN,
  HARBORLINE_SUFFIX,
  PEOPLE_DN,
  READER_DN,
  READER_PASSWORD,
  groupDn,
  orgToLdif,
  readOrgYaml,
  userDn,
} from './orgLdif';
export type { OrgGroup, OrgUser } from './orgLdif';
export {
  harborlineLdif,
  harborlineProviderConfig,
} from './harborlineDirectory';
