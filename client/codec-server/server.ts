/**
 * A codec server for the Temporal web UI and `temporal` CLI: `POST /decode` and `POST /encode` with the UI's JSON
 * (`{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`), answered in the same shape.
 *
 * Every request needs `Authorization: Bearer <secret>` of one of its users (access.ts: a name, a role, a secret,
 * optionally namespaces; CORS preflights excepted: browsers send them without credentials) and `X-Namespace`
 * (the UI and the CLI send it) naming a namespace of the allow-list. `/encode` needs the `encode+decode` role,
 * and binds what it encrypts to a workflow: `X-Workflow-Id` names it (neither the UI nor the CLI sends one, so
 * their encode is refused unless `allowUnboundEncode`). Failures spend a budget per address and per user (429).
 * Each refusal is logged with its reason and the user's name, never a secret, a payload or a header's value.
 * CORS is answered for the configured UI origins only.
 *
 * TLS: with a certificate and key (CODEC_SERVER_TLS_CERT, CODEC_SERVER_TLS_KEY: PEM paths) it speaks HTTPS only.
 * Without them it speaks plain HTTP: keep it on loopback (the default host), or put it behind a TLS-terminating
 * reverse proxy when it must be reached from elsewhere (docs/security.md).
 *
 * Errors of the codec reach the caller only as fixed sentences (422): never a key ID list, never a stack.
 *
 * The process that runs it, configured by the environment, is main.ts beside this file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { PayloadDecryptionError } from '../temporal/codec';
import {
  NAMESPACE,
  codecUserMatcher,
  failureBudget,
  type CodecUser,
  type FailureBudgetOptions,
} from './access';

export const DEFAULT_UI_ORIGIN = 'http://localhost:8233';
const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MIN_TOKEN_CHARS = 16;

export interface CodecServerOptions {
  port: number;
  host?: string;
  /** Who may call (access.ts); at least one. */
  users: CodecUser[];
  /** The namespaces whose payloads it reads and writes (`X-Namespace`); at least one. */
  namespaces: string[];
  /** `/encode` without `X-Workflow-Id` encrypts bound to no workflow instead of being refused (default false). */
  allowUnboundEncode?: boolean;
  /** The failed-attempt budget per address and per user (default 5, one back every 10 s). */
  failures?: FailureBudgetOptions;
  /** Where refusals are logged (default: a JSON line on stderr). */
  log?: (entry: CodecServerLogEntry) => void;
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

/** A refusal as logged: what was refused and why, by which user; nothing a caller chose verbatim. */
export interface CodecServerLogEntry {
  msg: 'codec server refused a request';
  status: number;
  reason: string;
  path: string;
  /** The user's name when the token matched one. */
  user?: string;
  address: string;
}

function logToStderr(entry: CodecServerLogEntry): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'WARN', service: 'codec-server', ...entry })}\n`,
  );
}

/** Temporal's limit on a workflow ID's length; control characters are never part of one. */
const MAX_WORKFLOW_ID_CHARS = 1000;
const WORKFLOW_ID = new RegExp(`^[^\\x00-\\x1f\\x7f]{1,${MAX_WORKFLOW_ID_CHARS}}$`);

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Spends a failure of the address (and of the user, when known). */
    readonly counts = false,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
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
  if (options.users.length === 0) throw new Error('startCodecServer: no users');
  if (options.namespaces.length === 0 || options.namespaces.some((n) => !NAMESPACE.test(n)))
    throw new Error('startCodecServer: namespaces must be one or more namespace names');
  const match = codecUserMatcher(options.users);
  const allowed = new Set(options.namespaces);
  const budget = failureBudget(options.failures);
  const log = options.log ?? logToStderr;
  const origins = new Set(options.corsOrigins ?? [DEFAULT_UI_ORIGIN]);

  const limited = (key: string): void => {
    const wait = budget.blockedFor(key);
    if (wait > 0)
      throw new HttpError(429, 'too many failed attempts: try again later', false, {
        'Retry-After': String(wait),
      });
  };

  /** The user, namespace and workflow (if named) of a request, or the HttpError that refuses it. */
  const admit = (req: IncomingMessage, path: string, address: string, seen: { user?: CodecUser }) => {
    limited(`address ${address}`);
    const user = match(req.headers.authorization);
    if (!user)
      throw new HttpError(401, 'missing or wrong bearer token', true, { 'WWW-Authenticate': 'Bearer' });
    seen.user = user;
    limited(`user ${user.name}`);
    const namespace = req.headers['x-namespace'];
    if (typeof namespace !== 'string' || namespace === '')
      throw new HttpError(403, 'the X-Namespace header is required', true);
    if (!allowed.has(namespace) || (user.namespaces && !user.namespaces.includes(namespace)))
      throw new HttpError(403, 'the namespace in X-Namespace is not allowed for this token', true);
    if (path === '/encode' && user.role !== 'encode+decode')
      throw new HttpError(403, 'this token may only decode (role decode): /encode needs encode+decode', true);
    const workflowId = req.headers['x-workflow-id'];
    if (workflowId !== undefined) {
      if (typeof workflowId !== 'string' || !WORKFLOW_ID.test(workflowId))
        throw new HttpError(
          400,
          `X-Workflow-Id must be a workflow ID (1-${MAX_WORKFLOW_ID_CHARS} characters)`,
        );
    }
    if (path === '/encode' && workflowId === undefined && !options.allowUnboundEncode)
      throw new HttpError(
        400,
        '/encode needs X-Workflow-Id: it binds what it encrypts to one workflow (unbound encoding is off)',
      );
    const context: SerializationContext | undefined =
      workflowId === undefined ? undefined : { type: 'workflow', namespace, workflowId };
    return { user, context };
  };

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader(
        'Access-Control-Allow-Headers',
        'Content-Type, X-Namespace, X-Workflow-Id, Authorization',
      );
      res.setHeader('Vary', 'Origin');
    }
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    seen: { user?: CodecUser },
  ): Promise<void> => {
    cors(req, res);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path !== '/encode' && path !== '/decode') throw new HttpError(404, 'not found');
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    const address = req.socket.remoteAddress ?? 'unknown';
    const { context } = admit(req, path, address, seen);
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
      out =
        path === '/encode'
          ? await options.codec.encode(payloads, context)
          : await options.codec.decode(payloads, context);
    } catch (err) {
      throw new HttpError(422, codecErrorMessage(path, err));
    }
    send(res, 200, { payloads: out.map(toJson) });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const seen: { user?: CodecUser } = {};
    handle(req, res, seen).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      const address = req.socket.remoteAddress ?? 'unknown';
      if (err instanceof HttpError && err.counts) {
        budget.fail(`address ${address}`);
        if (seen.user) budget.fail(`user ${seen.user.name}`);
      }
      if (status !== 404 && status !== 405)
        log({
          msg: 'codec server refused a request',
          status,
          reason: message,
          path: (req.url ?? '/').split('?')[0] === '/encode' ? '/encode' : '/decode',
          ...(seen.user ? { user: seen.user.name } : {}),
          address,
        });
      if (!res.headersSent) {
        if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        send(res, status, { error: message });
      } else res.end();
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
