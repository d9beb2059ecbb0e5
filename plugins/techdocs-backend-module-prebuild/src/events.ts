/**
 * The events topic on which the prebuild module announces each run that built or rebuilt docs,
 * so that others (the search backend's TechDocs index) need not wait for their own schedule.
 *
 * @public
 */
export const DOCS_PREBUILT_TOPIC = 'techdocs.docs-prebuilt';

/**
 * The payload of a {@link DOCS_PREBUILT_TOPIC} event.
 *
 * @public
 */
export type DocsPrebuiltEvent = {
  /** How many entities' docs the run built and published. */
  built: number;
};
