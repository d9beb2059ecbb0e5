import type { HttpRouterService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';

/** An Express request handler, as plugin routers take them. */
export type Handler = Parameters<HttpRouterService['use']>[0];

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

/**
 * Parses `application/json` request bodies with Express's JSON parser, with the plugin's limit,
 * before the plugin's own parser, so that what that parser would let through as a 400 or a 500
 * is answered clearly:
 *
 * - a body larger than `limitBytes` is a 413 (the catalog and the scaffolder report their own
 *   parser's limit as a 400);
 * - a string or key with a NUL character is a 400 (PostgreSQL cannot store or compare them, so
 *   the catalog answered 500);
 * - malformed JSON, or a top level that is not an object or array, is a 400 and a charset other
 *   than UTF a 415, as the plugins' parser answers.
 *
 * The parser marks the body parsed (`req._body`), so the plugin's own parser leaves it as is.
 */
export function jsonBodyGuard(options: { limitBytes: number }): Handler {
  const parse = express.json({
    limit: options.limitBytes,
    strict: true,
    type: 'application/json',
  });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        // The parser names malformed JSON SyntaxError; Backstage's name for a bad request is InputError.
        const parseFailed =
          (error as { type?: string }).type === 'entity.parse.failed';
        next(
          parseFailed
            ? new InputError(`Malformed JSON body: ${(error as Error).message}`)
            : error,
        );
        return;
      }
      // The parser cannot look inside the parsed value, and PostgreSQL can neither store nor compare NUL.
      if (containsNul(req.body)) {
        next(new InputError('JSON body must not contain NUL characters'));
        return;
      }
      next();
    });
  };
}

/** Refuses a NUL character (`%00`) anywhere in the request URL with a 400. */
export function nulQueryGuard(): Handler {
  return (req, _res, next) => {
    if (/%00/.test(req.url)) {
      next(new InputError('Request URL must not contain NUL characters (%00)'));
      return;
    }
    next();
  };
}
