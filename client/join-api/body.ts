/**
 * A request body read up to a limit: a declared Content-Length beyond it is refused before a byte is read, and
 * a body that grows beyond it stops being read at once (the connection is closed after the answer).
 */
import type { IncomingMessage } from 'node:http';

/** The body, or undefined when it is longer than `maxBytes`. */
export function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    // A client gone before the end of its body frees its slot at once: Node says so with 'error', and 'close'
    // comes at the latest.
    const onClose = (): void => onError(new Error('the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
