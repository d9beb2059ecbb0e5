import { Readable } from 'node:stream';
import {
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  ReadTreeResponseFactory,
  ReadUrlResponseFactory,
  ReaderFactory,
} from '@backstage/backend-defaults/urlReader';
import { NotFoundError, NotModifiedError } from '@backstage/errors';
import { minimatch } from 'minimatch';
import {
  LocalGitLocation,
  LocalGitRepositories,
  LocalGitUrls,
} from '@portico/plugin-local-git-node';

/**
 * Reads the portal's own local repositories straight from disk, for URLs
 * below the local-git plugin's base URL. The catalog, TechDocs and the
 * scaffolder read `catalog-info.yaml`, docs and skeletons this way without
 * an HTTP round trip to the portal and without credentials.
 *
 * @public
 */
export class LocalGitUrlReader implements UrlReaderService {
  /**
   * One reader for each distinct base URL (the plugin's external and internal
   * ones), answering for the URLs below it.
   */
  static factory(options: {
    repositories: LocalGitRepositories;
    baseUrls: string[];
  }): ReaderFactory {
    const { repositories, baseUrls } = options;
    return ({ treeResponseFactory }) =>
      [...new Set(baseUrls)].map(base => {
        const urls = new LocalGitUrls(base);
        return {
          predicate: (url: URL) => urls.contains(url),
          reader: new LocalGitUrlReader({
            repositories,
            urls,
            treeResponseFactory,
          }),
        };
      });
  }

  private readonly repositories: LocalGitRepositories;
  private readonly urls: LocalGitUrls;
  private readonly treeResponseFactory: ReadTreeResponseFactory;

  constructor(options: {
    repositories: LocalGitRepositories;
    urls: LocalGitUrls;
    treeResponseFactory: ReadTreeResponseFactory;
  }) {
    this.repositories = options.repositories;
    this.urls = options.urls;
    this.treeResponseFactory = options.treeResponseFactory;
  }

  private locate(url: string): LocalGitLocation {
    const location = this.urls.parse(url);
    if (!location) {
      throw new NotFoundError(
        `${url} does not name a file of a local repository: expected ${this.urls.baseUrl}/<repository>/raw/<ref>/<path>`,
      );
    }
    return location;
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const { repository, ref, path } = this.locate(url);
    const entry = await this.repositories.lookup(repository, ref, path);
    if (!entry || entry.type !== 'blob') {
      throw new NotFoundError(`${url} does not exist`);
    }
    if (options?.etag === entry.oid) {
      throw new NotModifiedError();
    }
    const content = await this.repositories.readBlob(repository, entry.oid);
    return ReadUrlResponseFactory.fromReadable(Readable.from([content]), {
      etag: entry.oid,
    });
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const { repository, ref, path } = this.locate(url);
    const entry = await this.repositories.lookup(repository, ref, path);
    if (!entry || entry.type !== 'tree') {
      throw new NotFoundError(`${url} is not a folder of a local repository`);
    }
    if (options?.etag === entry.oid) {
      throw new NotModifiedError();
    }
    const files = (
      await this.repositories.listFiles(repository, entry.oid)
    ).filter(file => options?.filter?.(file.path, { size: file.size }) ?? true);
    const contents = await this.repositories.readBlobs(
      repository,
      files.map(f => f.oid),
    );
    const response = await this.treeResponseFactory.fromReadableArray(
      files.map(file => ({
        path: file.path,
        data: Readable.from([contents.get(file.oid) ?? Buffer.alloc(0)]),
      })),
    );
    // The tree's hash identifies exactly this content.
    return Object.assign(response, { etag: entry.oid });
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    const { repository, ref, path } = this.locate(url);
    if (!/[*?[{]/.test(path)) {
      try {
        const data = await this.readUrl(url, options);
        return {
          files: [{ url, content: data.buffer }],
          etag: data.etag ?? '',
        };
      } catch (error) {
        if ((error as Error).name === 'NotFoundError') {
          return { files: [], etag: '' };
        }
        throw error;
      }
    }
    const commit = await this.repositories.resolveCommit(repository, ref);
    if (!commit) {
      return { files: [], etag: '' };
    }
    if (options?.etag === commit) {
      throw new NotModifiedError();
    }
    const root = await this.repositories.lookup(repository, commit, '');
    const matches = (
      await this.repositories.listFiles(repository, root!.oid)
    ).filter(file => minimatch(file.path, path, { dot: true }));
    return {
      etag: commit,
      files: matches.map(file => ({
        url: this.urls.rawUrl(repository, ref, file.path),
        content: () => this.repositories.readBlob(repository, file.oid),
      })),
    };
  }

  toString() {
    return `local-git{root=${this.repositories.root}}`;
  }
}
