import { ConfigReader } from '@backstage/config';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { LocalGitRepositories } from '@portico/plugin-local-git-node';
import { LocalGitUrlReader } from './LocalGitUrlReader';

const base = 'http://localhost:7007/api/local-git';
const internalBase = 'http://portico-backend.internal:7007/api/local-git';

describe('LocalGitUrlReader', () => {
  const source = createMockDirectory();
  const data = createMockDirectory();
  let repositories: LocalGitRepositories;
  let reader: UrlReaderService;

  beforeAll(async () => {
    source.setContent({
      'catalog-info.yaml': 'kind: Component\n',
      'mkdocs.yml': 'site_name: Parcel labels\n',
      'docs/index.md': '# Parcel labels\n',
      'docs/guides/printing.md': '# Printing\n',
      'src/index.ts': 'export {};\n',
      secret: ({ symlink }) => symlink('/etc/hostname'),
    });
    data.setContent({ git: {} });
    repositories = new LocalGitRepositories({ root: data.resolve('git') });
    await repositories.create({
      name: 'parcel-labels',
      sourceDir: source.path,
      branch: 'main',
      message: 'Initial commit',
      author: { name: 'Portico', email: 'portico@harborline.example' },
    });
    // The reader as the backend assembles it: ahead of the default readers.
    reader = UrlReaders.default({
      config: new ConfigReader({}),
      logger: mockServices.logger.mock(),
      factories: [
        LocalGitUrlReader.factory({
          repositories,
          baseUrls: [base, internalBase, base],
        }),
      ],
    });
  });

  it('reads a file, with its blob hash as etag, and answers NotModified for that etag', async () => {
    const response = await reader.readUrl(
      `${base}/parcel-labels/raw/main/catalog-info.yaml`,
    );
    expect((await response.buffer()).toString()).toBe('kind: Component\n');
    expect(response.etag).toMatch(/^[0-9a-f]{40}$/);
    await expect(
      reader.readUrl(`${base}/parcel-labels/raw/main/catalog-info.yaml`, {
        etag: response.etag,
      }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });
    const atHead = await reader.readUrl(
      `${base}/parcel-labels/raw/HEAD/catalog-info.yaml`,
    );
    expect(atHead.etag).toBe(response.etag);
  });

  it.each([
    ['a missing file', `${base}/parcel-labels/raw/main/nope.yaml`],
    ['a folder', `${base}/parcel-labels/raw/main/docs`],
    ['a missing repository', `${base}/nothing/raw/main/catalog-info.yaml`],
    [
      'a path climbing out',
      `${base}/parcel-labels/raw/main/docs/%2e%2e/%2e%2e/config`,
    ],
    ['an encoded slash', `${base}/parcel-labels/raw/main/docs%2Findex.md`],
    ['no raw segment', `${base}/parcel-labels/blob/main/catalog-info.yaml`],
  ])('reports %s as not found', async (_case, url) => {
    await expect(reader.readUrl(url)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('reads a folder as a tree, leaving out symbolic links, for TechDocs and skeletons', async () => {
    const tree = await reader.readTree(`${base}/parcel-labels/raw/main/`);
    const files = await tree.files();
    const contents = Object.fromEntries(
      await Promise.all(
        files.map(async f => [f.path, (await f.content()).toString()] as const),
      ),
    );
    expect(contents).toEqual({
      'catalog-info.yaml': 'kind: Component\n',
      'mkdocs.yml': 'site_name: Parcel labels\n',
      'docs/index.md': '# Parcel labels\n',
      'docs/guides/printing.md': '# Printing\n',
      'src/index.ts': 'export {};\n',
    });

    const docs = await reader.readTree(`${base}/parcel-labels/raw/main/docs`, {
      filter: path => path.endsWith('.md') && !path.startsWith('guides/'),
    });
    expect((await docs.files()).map(f => f.path)).toEqual(['index.md']);
    await expect(
      reader.readTree(`${base}/parcel-labels/raw/main/docs`, {
        etag: docs.etag,
      }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });

    const dir = await reader.readTree(`${base}/parcel-labels/raw/main/docs/`);
    const target = data.resolve('extracted');
    await dir.dir({ targetDir: target });
    expect(data.content({ path: 'extracted' })).toEqual({
      'index.md': '# Parcel labels\n',
      guides: { 'printing.md': '# Printing\n' },
    });
  });

  it('searches by glob and by exact path', async () => {
    const found = await reader.search(`${base}/parcel-labels/raw/main/**/*.md`);
    expect(found.files.map(f => f.url).sort()).toEqual([
      `${base}/parcel-labels/raw/main/docs/guides/printing.md`,
      `${base}/parcel-labels/raw/main/docs/index.md`,
    ]);
    expect((await found.files[0].content()).toString()).toMatch(/^# /);
    await expect(
      reader.search(`${base}/parcel-labels/raw/main/**/*.md`, {
        etag: found.etag,
      }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });

    const exact = await reader.search(
      `${base}/parcel-labels/raw/main/mkdocs.yml`,
    );
    expect(exact.files).toHaveLength(1);
    const none = await reader.search(`${base}/parcel-labels/raw/main/nope.yml`);
    expect(none.files).toEqual([]);
  });

  it('answers below the internal base URL too, naming files below the base asked for', async () => {
    const response = await reader.readUrl(
      `${internalBase}/parcel-labels/raw/main/catalog-info.yaml`,
    );
    expect((await response.buffer()).toString()).toBe('kind: Component\n');
    const found = await reader.search(
      `${internalBase}/parcel-labels/raw/main/docs/*.md`,
    );
    expect(found.files.map(f => f.url)).toEqual([
      `${internalBase}/parcel-labels/raw/main/docs/index.md`,
    ]);
  });

  it('leaves URLs outside its base to the other readers', async () => {
    // No other reader is configured: the allowlist refuses it.
    await expect(
      reader.readUrl('http://localhost:7007/api/catalog/entities'),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      reader.readUrl(
        'http://localhost:7007/api/local-gitx/parcel-labels/raw/main/a',
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});
