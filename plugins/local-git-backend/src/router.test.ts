import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  TestBackend,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { LocalGitRepositories } from '@portico/plugin-local-git-node';
import { localGitPlugin } from './plugin';

/**
 * The catalog as the permission policy shows it: bob may read the entity registered from
 * parcel-labels' catalog-info.yaml on main, carol may not.
 */
const catalogQueries: Array<{ user?: string; filter: unknown }> = [];
const catalogAsPolicy = createServiceFactory({
  service: catalogServiceRef,
  deps: {},
  factory: () =>
    ({
      async queryEntities(
        query: { filter: Record<string, string[]> },
        options: { credentials: { principal: { userEntityRef?: string } } },
      ) {
        const user = options.credentials.principal.userEntityRef;
        catalogQueries.push({ user, filter: query.filter });
        const locations = Object.values(query.filter).flat();
        const registered = locations.some(l =>
          l.endsWith('/api/local-git/parcel-labels/raw/main/catalog-info.yaml'),
        );
        const items =
          registered && user === 'user:default/bob'
            ? [{ metadata: { name: 'parcel-labels' } }]
            : [];
        return { items, totalItems: items.length, pageInfo: {} };
      },
    } as unknown as CatalogService),
});

const asUser = (req: request.Test) =>
  req.set('authorization', mockCredentials.user.header('user:default/bob'));

describe('the local-git plugin', () => {
  const source = createMockDirectory();
  const data = createMockDirectory();
  let backend: TestBackend;

  beforeAll(async () => {
    source.setContent({
      'catalog-info.yaml': 'kind: Component\n',
      'README.md': '# Parcel labels\n',
      'page.html': '<script>alert(document.cookie)</script>\n',
      'logo.bin': Buffer.from([0x89, 0x50, 0x00, 0x01]),
      'docs/index.md': '# Docs\n',
      '"<img src=x>".md': 'odd name\n',
    });
    data.setContent({ git: {} });
    await new LocalGitRepositories({ root: data.resolve('git') }).create({
      name: 'parcel-labels',
      sourceDir: source.path,
      branch: 'main',
      message: 'Initial commit',
      author: { name: 'Portico', email: 'portico@harborline.example' },
      description: 'Prints parcel labels',
    });
    backend = await startTestBackend({
      features: [
        localGitPlugin,
        mockServices.rootConfig.factory({
          data: {
            localGit: { repositoriesDir: data.resolve('git') },
          },
        }),
        catalogAsPolicy,
        // Requests without a token are anonymous, as in production.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
  });

  afterAll(() => backend.stop());

  it.each([
    '/api/local-git/',
    '/api/local-git/parcel-labels/raw/main/README.md',
    '/api/local-git/parcel-labels.git/info/refs',
  ])('refuses callers without credentials at %s', async path => {
    const res = await request(backend.server).get(path);
    expect(res.status).toBe(401);
  });

  it("serves a browser that follows a link with the portal's user cookie, as that user", async () => {
    const path = '/api/local-git/parcel-labels/raw/main/README.md';
    const withCookie = (user: string) =>
      request(backend.server)
        .get(path)
        .set('cookie', mockCredentials.limitedUser.cookie(user));
    expect((await withCookie('user:default/bob')).status).toBe(200);
    // carol may not read the entity registered from it: the cookie gives her no more.
    expect((await withCookie('user:default/carol')).status).toBe(404);
  });

  it('lists the repositories', async () => {
    const res = await asUser(
      request(backend.server).get('/api/local-git/'),
    ).expect(200);
    const port = backend.server.port();
    expect(res.body).toEqual({
      repositories: [
        {
          name: 'parcel-labels',
          description: 'Prints parcel labels',
          url: `http://localhost:${port}/api/local-git/parcel-labels/raw/HEAD/`,
          cloneUrl: `http://localhost:${port}/api/local-git/parcel-labels.git`,
        },
      ],
    });
  });

  it('serves a file as plain text that the browser may not run, with an etag', async () => {
    const res = await asUser(
      request(backend.server).get(
        '/api/local-git/parcel-labels/raw/main/README.md',
      ),
    ).expect(200);
    expect(res.text).toBe('# Parcel labels\n');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain(
      "default-src 'none'",
    );
    expect(res.headers['content-security-policy']).toContain('sandbox');

    await asUser(
      request(backend.server)
        .get('/api/local-git/parcel-labels/raw/main/README.md')
        .set('if-none-match', res.headers.etag),
    ).expect(304);
  });

  it('never serves repository content as HTML', async () => {
    const res = await asUser(
      request(backend.server).get(
        '/api/local-git/parcel-labels/raw/HEAD/page.html',
      ),
    ).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('serves binary files as such', async () => {
    const res = await asUser(
      request(backend.server).get(
        '/api/local-git/parcel-labels/raw/main/logo.bin',
      ),
    )
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body).toEqual(Buffer.from([0x89, 0x50, 0x00, 0x01]));
  });

  it('lists folders as escaped HTML or as JSON, redirecting to the trailing slash', async () => {
    const redirect = await asUser(
      request(backend.server).get('/api/local-git/parcel-labels/raw/main/docs'),
    ).expect(302);
    expect(redirect.headers.location).toMatch(
      /\/api\/local-git\/parcel-labels\/raw\/main\/docs\/$/,
    );

    const html = await asUser(
      request(backend.server)
        .get('/api/local-git/parcel-labels/raw/main/')
        .set('accept', 'text/html'),
    ).expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('<a href="docs/">docs/</a>');
    expect(html.text).toContain(
      '<a href="%22%3Cimg%20src%3Dx%3E%22.md">&quot;&lt;img src=x&gt;&quot;.md</a>',
    );
    expect(html.text).not.toContain('<img');

    const json = await asUser(
      request(backend.server)
        .get('/api/local-git/parcel-labels/raw/main/docs/')
        .set('accept', 'application/json'),
    ).expect(200);
    expect(json.body).toMatchObject({
      repository: 'parcel-labels',
      ref: 'main',
      path: 'docs',
      entries: [expect.objectContaining({ name: 'index.md', type: 'blob' })],
    });

    const home = await asUser(
      request(backend.server).get('/api/local-git/parcel-labels'),
    ).expect(302);
    expect(home.headers.location).toMatch(
      /\/api\/local-git\/parcel-labels\/raw\/HEAD\/$/,
    );
  });

  it.each([
    '/api/local-git/parcel-labels/raw/main/nope.md',
    '/api/local-git/parcel-labels/raw/develop/README.md',
    '/api/local-git/nothing/raw/main/README.md',
    '/api/local-git/nothing',
    '/api/local-git/parcel-labels/raw/main/docs/../../config',
    '/api/local-git/parcel-labels/raw/main/%2e%2e/config',
    '/api/local-git/parcel-labels/raw/main~1/README.md',
    '/api/local-git/..%2F..%2Fetc/raw/main/passwd',
    '/api/local-git/parcel-labels.git/config',
    '/api/local-git/parcel-labels.git/description',
    '/api/local-git/parcel-labels.git/objects/../config',
  ])('answers 404 for %s', async path => {
    const res = await asUser(request(backend.server).get(path));
    expect(res.status).toBe(404);
  });

  it('serves git clone over HTTP to a caller with a token', async () => {
    const cloneUrl = `http://localhost:${backend.server.port()}/api/local-git/parcel-labels.git`;
    const target = data.resolve('clone');
    await promisify(execFile)(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: ${mockCredentials.user.header(
          'user:default/bob',
        )}`,
        'clone',
        '--quiet',
        cloneUrl,
        target,
      ],
      {
        env: {
          PATH: process.env.PATH,
          GIT_CONFIG_NOSYSTEM: '1',
          HOME: data.path,
        },
      },
    );
    expect(readFileSync(data.resolve('clone/README.md'), 'utf8')).toBe(
      '# Parcel labels\n',
    );
    const { stdout } = await promisify(execFile)('git', [
      '-C',
      target,
      'branch',
      '--show-current',
    ]);
    expect(stdout.trim()).toBe('main');
  });

  it('shows a repository only to services and users who may read an entity registered from it', async () => {
    const asCarol = (req: request.Test) =>
      req.set(
        'authorization',
        mockCredentials.user.header('user:default/carol'),
      );
    const asService = (req: request.Test) =>
      req.set('authorization', mockCredentials.service.header());
    const paths = [
      '/api/local-git/parcel-labels/raw/main/catalog-info.yaml',
      '/api/local-git/parcel-labels.git/info/refs',
      '/api/local-git/parcel-labels',
    ];
    const list = await asCarol(
      request(backend.server).get('/api/local-git/'),
    ).expect(200);
    expect(list.body).toEqual({ repositories: [] });
    for (const path of paths) {
      const res = await asCarol(request(backend.server).get(path));
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).not.toContain('kind: Component');
    }
    const services = await asService(
      request(backend.server).get('/api/local-git/'),
    ).expect(200);
    expect(services.body.repositories).toHaveLength(1);
    await asService(request(backend.server).get(paths[0])).expect(200);
    // The catalog was asked with carol's own credentials, for the repository's branch.
    expect(catalogQueries).toContainEqual({
      user: 'user:default/carol',
      filter: {
        'metadata.annotations.backstage.io/managed-by-location': [
          `url:http://localhost:${backend.server.port()}/api/local-git/parcel-labels/raw/main/catalog-info.yaml`,
        ],
      },
    });
  });
});
