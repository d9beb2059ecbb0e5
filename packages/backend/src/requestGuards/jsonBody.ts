import type { HttpRouterService } from '@backstage/backend-plugin-api';

/** An Express request handler, as plugin routers take them. */
export type Handler = Parameters<HttpRouterService['use']>[0];
type Request = Parameters<Handler>[0];

/**
 * An error the backend's error handler answers with `statusCode`, and with
 * `name` and `message` in the usual Backstage error body.
 */
export class RequestRefusedError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, name: string, message: string) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

export const inputError = (message: string) =>
  new RequestRefusedError(400, 'InputError', message);

/** True when a string or object key anywhere in the value holds a NUL character. */
function containsNul(value: unknown): boolean {
  // Iterative: the body may nest deeper than the call stack allows.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return true;
    } else if (Array.isArray(current)) {
      pending.push(...current);
    } else if (current && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\u0000')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}

const tooLarge = (limitBytes: number) =>
  new RequestRefusedError(
    413,
    'PayloadTooLargeError',
    `Request body is larger than the limit of ${limitBytes} bytes`,
  );

function readBody(req: Request, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Parses `application/json` request bodies before the plugin's own parser,
 * so that what the plugin's parser would let through as a 400 or a 500 is
 * answered clearly:
 *
 * - a body larger than `limitBytes` is a 413 (the catalog and the scaffolder
 *   report their own parser's limit as a 400);
 * - a string or key with a NUL character is a 400 (PostgreSQL cannot store
 *   or compare them, so the catalog answered 500);
 * - malformed JSON, or a top level that is not an object or array, is a 400
 *   and a charset other than UTF-8 a 415, as the plugins' parser answers.
 *
 * The parsed body is handed on as `req.body`, marked parsed (`req._body`) so
 * the plugin's own Express JSON parser leaves it as is.
 */
export function jsonBodyGuard(options: { limitBytes: number }): Handler {
  const { limitBytes } = options;
  return async (req, res, next) => {
    const parsedAlready = (req as { _body?: boolean })._body;
    const contentType = req.headers['content-type'] ?? '';
    const [mediaType, ...parameters] = contentType.split(';');
    const hasBody =
      req.headers['content-length'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined;
    if (
      parsedAlready ||
      !hasBody ||
      mediaType.trim().toLowerCase() !== 'application/json'
    ) {
      next();
      return;
    }
    try {
      const charset = parameters
        .map(p => p.trim().toLowerCase())
        .find(p => p.startsWith('charset='))
        ?.slice('charset='.length)
        .replace(/"/g, '');
      if (charset && charset !== 'utf-8' && charset !== 'utf8') {
        throw new RequestRefusedError(
          415,
          'UnsupportedMediaTypeError',
          `Unsupported charset "${charset}": JSON bodies must be UTF-8`,
        );
      }
      if (Number(req.headers['content-length']) > limitBytes) {
        throw tooLarge(limitBytes);
      }
      const text = (await readBody(req, limitBytes))
        .toString('utf8')
        .replace(/^\uFEFF/, '');
      let body: unknown = {};
      if (text.length > 0) {
        const start = text.trimStart()[0];
        if (start !== '{' && start !== '[') {
          throw inputError('JSON body must be an object or an array');
        }
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw inputError(`Malformed JSON body: ${(error as Error).message}`);
        }
      }
      if (containsNul(body)) {
        throw inputError('JSON body must not contain NUL characters');
      }
      req.body = body;
      (req as { _body?: boolean })._body = true;
      next();
    } catch (error) {
      if ((error as RequestRefusedError).statusCode === 413) {
        // The rest of an oversized body is not read: end the connection after answering.
        res.setHeader('connection', 'close');
      }
      next(error);
    }
  };
}

/** Refuses a NUL character (`%00`) anywhere in the request URL with a 400. */
export function nulQueryGuard(): Handler {
  return (req, _res, next) => {
    if (/%00/.test(req.url)) {
      next(inputError('Request URL must not contain NUL characters (%00)'));
      return;
    }
    next();
  };
}
