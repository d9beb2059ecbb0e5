/*
 * Asks the URL reader whether it may read a location target, without reading it.
 *
 * The catalog stores any `url` location it is given and only reports a target the URL reader
 * may not read (outside `backend.reading.allow`, the integrations, the local git hosting) later,
 * as a processing error on the location entity. The probe lets a registration be refused before
 * the catalog stores it.
 *
 * An upstream workaround: see the table in this package's README for when it is deleted.
 */
import type { UrlReaderService } from '@backstage/backend-plugin-api';

export class LocationTargetProbe {
  constructor(private readonly urlReader: UrlReaderService) {}

  /**
   * Why `target` cannot be registered as a `url` location, or undefined when the URL reader may
   * read it. The target is requested with an already aborted signal: the reader refuses targets
   * outside its allowlist before doing anything, and an allowed fetch is abandoned before it
   * connects.
   */
  async refusal(target: string): Promise<string | undefined> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return `Location target '${target}' is not a URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `Location target '${target}' must be an http or https URL, not ${url.protocol}`;
    }
    const probe = new AbortController();
    probe.abort();
    try {
      await this.urlReader.readUrl(target, { signal: probe.signal });
    } catch (error) {
      if ((error as Error).name === 'NotAllowedError') {
        return `Cannot register location ${target}: ${
          (error as Error).message
        }`;
      }
    }
    return undefined;
  }
}
