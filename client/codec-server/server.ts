/**
 * A codec server for the Temporal web UI and `temporal` CLI: `POST /decode` and `POST /encode` with the UI's JSON
 * (`{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`), answered in the same shape.
 *
 * Every request needs `Authorization: Bearer <CODEC_SERVER_TOKEN>` (CORS preflights excepted: browsers send them
 * without credentials). CORS is answered for the configured UI origins only.
 *
 * TLS: with a certificate and key (CODEC_SERVER_TLS_CERT, CODEC_SERVER_TLS_KEY: PEM paths) it speaks HTTPS only.
 * Without them it speaks plain HTTP: keep it on loopback (the default host), or put it behind a TLS-terminating
 * reverse proxy when it must be reached from elsewhere (docs/security.md).
 *
 * Errors of the codec reach the caller only as fixed sentences (422): never a key ID list, never a stack.
 *
 * The process that runs it, configured by the environment, is main.ts beside this file.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadDecryptionError } from '../temporal/codec';

export const DEFAULT_UI_ORIGIN = 'http://localhost:8233';
const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MIN_TOKEN_CHARS = 16;

export interface CodecServerOptions {
  port: number;
  host?: string;
  /** The bearer token every request must carry: at least 16 characters, none of them whitespace. */
  token: string;
  /** PEM certificate and key: the server speaks HTTPS only. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  codec: PayloadCodec;
  /** Origins allowed by CORS (the web UI's); default http://localhost:8233. */
  corsOrigins?: string[];
}

export interface RunningCodecServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function fromJson(p: JsonPayload, i: number): Payload {
  if (typeof p !== 'object' || p === null) throw new HttpError(400, `payloads[${i}] must be an object`);
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, `payloads[${i}].metadata.${k} must be base64`);
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') {
    throw new HttpError(400, `payloads[${i}].data must be base64`);
  }
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  }
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Why a token is unusable, or undefined when it is fine (the join API asks for longer ones). */
export function tokenProblem(token: unknown, minChars = MIN_TOKEN_CHARS): string | undefined {
  if (typeof token !== 'string' || token.length < minChars) {
    return `must be at least ${minChars} characters`;
  }
  if (/\s/.test(token)) return 'must not contain whitespace (a blank or padded token is refused)';
  return undefined;
}

/** The sentence a 422 carries: what kind of problem, never the codec's own text (which may name keys). */
function codecErrorMessage(path: string, err: unknown): string {
  if (!(err instanceof PayloadDecryptionError)) return `could not ${path.slice(1)} the payloads`;
  if (/tampered/.test(err.message)) return 'a payload was tampered with or encrypted with another key';
  if (/not in this process/.test(err.message))
    return 'a payload was encrypted with a key this server does not have';
  if (/truncated/.test(err.message)) return 'a payload is truncated';
  if (/unencrypted/.test(err.message)) return 'a payload is not encrypted (strict mode)';
  return 'a payload could not be decrypted';
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const problem = tokenProblem(options.token);
  if (problem) throw new Error(`startCodecServer: token ${problem}`);
  const expected = digest(`Bearer ${options.token}`);
  const origins = new Set(options.corsOrigins ?? [DEFAULT_UI_ORIGIN]);

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    // Compare digests: constant time, and no length leak.
    return typeof header === 'string' && timingSafeEqual(digest(header), expected);
  };

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Vary', 'Origin');
    }
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    cors(req, res);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path !== '/encode' && path !== '/decode') throw new HttpError(404, 'not found');
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    if (!authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'body is not JSON');
    }
    const list = (parsed as { payloads?: unknown } | null)?.payloads;
    if (!Array.isArray(list)) throw new HttpError(400, 'body must be {"payloads": [...]}');
    const payloads = list.map((p, i) => fromJson(p as JsonPayload, i));
    let out: Payload[];
    try {
      out = path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
    } catch (err) {
      throw new HttpError(422, codecErrorMessage(path, err));
    }
    send(res, 200, { payloads: out.map(toJson) });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (!res.headersSent) send(res, status, { error: message });
      else res.end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, listener)
    : createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
