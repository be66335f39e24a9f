/**
 * Request bodies within a size limit. A declared Content-Length over the limit is refused before a byte is
 * read; a chunked body is counted as it streams and refused as soon as it passes the limit. Either way the
 * rest of the body is never read: the answer closes the connection.
 */
import type * as http from 'node:http';
import { ApiError } from '../errors';

/** About 1 MiB: the largest real request (100 attendees with capabilities) is under 20 KB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function bodyTooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLargeException', `The request body is larger than ${limit} bytes`);
}

/** Whether the request announced a body that has not been read to its end. */
export function bodyPending(req: http.IncomingMessage): boolean {
  if (req.complete) return false;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return Number(req.headers['content-length'] ?? 0) > 0;
}

export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        done();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      done();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (e: Error): void => {
      done();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
