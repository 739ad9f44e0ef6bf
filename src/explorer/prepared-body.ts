/**
 * A response body prepared once (bytes, gzip, strong ETag) and sent many times: the explorer's
 * page, scripts, styles and search lists never change while the process runs, so compressing
 * and hashing them per request would be waste. (The project has no compression middleware; the
 * page is small, and gzip of a fixed body is all it needs.)
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** A body ready to send. */
export interface PreparedBody {
  /** `Content-Type` header value. */
  readonly contentType: string;
  readonly raw: Buffer;
  readonly gzip: Buffer;
  /** Strong ETag (quoted), from the sha256 of the raw bytes. */
  readonly etag: string;
}

/**
 * Prepares a body: its gzip (level 9, once) and its ETag.
 *
 * @param raw - The bytes (or UTF-8 text) to send.
 * @param contentType - Its media type with charset.
 */
export function prepareBody(raw: Buffer | string, contentType: string): PreparedBody {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return {
    contentType,
    raw: bytes,
    gzip: gzipSync(bytes, { level: 9 }),
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
  };
}

/** True when an `If-None-Match` header names this ETag (or `*`). */
function notModified(req: Request, etag: string): boolean {
  const header = req.get('If-None-Match');
  if (header === undefined) {
    return false;
  }
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

/**
 * Sends a prepared body: `304` when the client has it, gzip when the client accepts it.
 *
 * @param req - The request (its `If-None-Match` and `Accept-Encoding`).
 * @param res - The response.
 * @param body - What to send.
 * @param cacheControl - `Cache-Control` header value.
 */
export function sendPrepared(
  req: Request,
  res: Response,
  body: PreparedBody,
  cacheControl: string,
): void {
  res.set({ ETag: body.etag, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding' });
  if (notModified(req, body.etag)) {
    res.status(304).end();
    return;
  }
  const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
  const bytes = gzip ? body.gzip : body.raw;
  res.status(200).set({
    'Content-Type': body.contentType,
    'Content-Length': String(bytes.length),
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(bytes);
}
