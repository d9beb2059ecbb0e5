import { createReadStream, promises as fs } from 'node:fs';
import express from 'express';
import Router from 'express-promise-router';
import { NotFoundError } from '@backstage/errors';
import {
  LocalGitRepositories,
  LocalGitUrls,
  MAX_GIT_OUTPUT_BYTES,
  TreeEntry,
  parseRawPath,
} from '@portico/plugin-local-git-node';
import { RepositoryAccess } from './RepositoryAccess';

/**
 * Repository content is shown, never run: no scripts, no plugins, no
 * framing, and no guessing of types by the browser.
 */
function setContentSecurityHeaders(res: express.Response) {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function listingHtml(title: string, entries: TreeEntry[]): string {
  const rows = entries
    .map(entry => {
      const href =
        encodeURIComponent(entry.name) + (entry.type === 'tree' ? '/' : '');
      const label = escapeHtml(entry.name) + (entry.type === 'tree' ? '/' : '');
      return `<li><a href="${href}">${label}</a></li>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif"><h1>${escapeHtml(title)}</h1>
<ul>
${rows}
</ul></body></html>
`;
}

function gitFileType(file: string): string {
  if (file.endsWith('.pack')) return 'application/x-git-packed-objects';
  if (file.endsWith('.idx')) return 'application/x-git-packed-objects-toc';
  if (/^objects\/[0-9a-f]{2}\//.test(file))
    return 'application/x-git-loose-object';
  return 'text/plain; charset=utf-8';
}

/**
 * Read-only HTTP access to the local repositories:
 *
 * - `GET /`: the repositories, as JSON
 * - `GET /<repository>`: redirects to the listing of its default branch
 * - `GET /<repository>/raw/<ref>/<path>`: a file as it is, or a folder's
 *   listing (HTML, or JSON when asked for)
 * - `GET /<repository>.git/...`: the files git's "dumb" HTTP transport
 *   reads, so `git clone <base>/<repository>.git` works
 */
export async function createLocalGitRouter(options: {
  repositories: LocalGitRepositories;
  urls: LocalGitUrls;
  access: RepositoryAccess;
}): Promise<express.Router> {
  const { repositories, urls, access } = options;
  const router = Router();
  // A repository the caller may not read answers as one that does not exist.
  const assertReadable = async (req: express.Request, repository: string) => {
    if (!(await access.mayRead(await access.credentials(req), repository))) {
      throw new NotFoundError(`No repository named '${repository}'`);
    }
  };

  router.get('/', async (req, res) => {
    const credentials = await access.credentials(req);
    const list = [];
    for (const repo of await repositories.list()) {
      if (await access.mayRead(credentials, repo.name)) list.push(repo);
    }
    res.json({
      repositories: list.map(repo => ({
        ...repo,
        url: urls.rawUrl(repo.name, 'HEAD'),
        cloneUrl: urls.cloneUrl(repo.name),
      })),
    });
  });

  router.get(/^\/([^/]+)\.git\/(.+)$/, async (req, res) => {
    const name = req.params[0];
    const file = req.params[1];
    await assertReadable(req, name);
    const path = repositories.dumbHttpFile(name, file);
    const stat = path ? await fs.stat(path).catch(() => undefined) : undefined;
    if (!path || !stat?.isFile()) {
      throw new NotFoundError(`No such file in a local repository`);
    }
    res.setHeader('Content-Type', gitFileType(file));
    res.setHeader('Content-Length', String(stat.size));
    res.setHeader(
      'Cache-Control',
      file.startsWith('objects/') && !file.startsWith('objects/info/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    );
    setContentSecurityHeaders(res);
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path);
      stream.on('error', reject);
      res.on('finish', resolve);
      res.on('close', resolve);
      stream.pipe(res);
    });
  });

  router.get('/:repository', async (req, res) => {
    const { repository } = req.params;
    await assertReadable(req, repository);
    if (!(await repositories.exists(repository))) {
      throw new NotFoundError(`No repository named '${repository}'`);
    }
    res.redirect(urls.rawUrl(repository, 'HEAD'));
  });

  router.get('/:repository/raw/*', async (req, res) => {
    const location = parseRawPath(req.path.slice(1));
    if (!location) {
      throw new NotFoundError(
        'Expected /<repository>/raw/<ref>/<path> with a valid repository name, ref and path',
      );
    }
    const { repository, ref, path } = location;
    await assertReadable(req, repository);
    const entry = await repositories.lookup(repository, ref, path);
    if (!entry) {
      throw new NotFoundError(
        `'${path || '/'}' does not exist at '${ref}' of '${repository}'`,
      );
    }
    setContentSecurityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', `"${entry.oid}"`);

    if (entry.type === 'tree') {
      if (!req.path.endsWith('/')) {
        // Entries link relative to the folder.
        res.redirect(urls.rawUrl(repository, ref, path ? `${path}/` : ''));
        return;
      }
      const entries = await repositories.listTree(repository, entry.oid);
      if (req.accepts(['html', 'json']) === 'json') {
        res.json({ repository, ref, path, entries });
        return;
      }
      res
        .type('html')
        .send(listingHtml(`${repository} @ ${ref}: /${path}`, entries));
      return;
    }

    if (entry.size > MAX_GIT_OUTPUT_BYTES) {
      res.status(413).json({
        error: { name: 'PayloadTooLargeError', message: 'File too large' },
      });
      return;
    }
    const content = await repositories.readBlob(repository, entry.oid);
    res.setHeader(
      'Content-Type',
      looksBinary(content)
        ? 'application/octet-stream'
        : 'text/plain; charset=utf-8',
    );
    res.send(content);
  });

  return router;
}
