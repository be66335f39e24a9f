/**
 * The HTTP transport: routes a request (API or admin) and authenticates it before reading its body, reads the
 * body within the size limit, and writes the answer, or withholds it when an after-the-effect fault says so.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeepPartial, EmulatorConfig } from './config';
import { Engine, errorResponse, type ApiResponse, type EmulatorCounters, type EmulatorState } from './engine';
import { ApiError } from './errors';
import {
  ADMIN_PREFIX,
  adminAuthorized,
  adminRoute,
  runAdmin,
  UNAUTHORIZED,
  type AdminAnswer,
} from './http/admin';
import { bodyPending, DEFAULT_MAX_BODY_BYTES, readBody } from './http/body';
import { isSqsRequest } from './sqs/protocol';

export interface StartOptions {
  port?: number;
  host?: string;
  config?: DeepPartial<EmulatorConfig>;
  /** Bearer token the admin API (/_emulator/*) requires; unset: the admin API is open (local development). */
  adminToken?: string;
  /** Largest request body in bytes; larger ones are answered 413 unread. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface HandlerOptions {
  adminToken?: string;
  maxBodyBytes?: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  state(): EmulatorState;
  /** The call counters without the meetings: what a benchmark samples every second. */
  counters(): EmulatorCounters;
  configure(patch: DeepPartial<EmulatorConfig>): EmulatorConfig;
  reset(): void;
  advanceClock(ms: number): void;
  /** Each returns false, and emits no event, when the attendee already was in that state. */
  connect(meetingId: string, attendeeId: string): boolean;
  disconnect(meetingId: string, attendeeId: string): boolean;
  /** Disconnects as a lost connection: chime:AttendeeDropped instead of chime:AttendeeLeft. */
  drop(meetingId: string, attendeeId: string): boolean;
  close(): Promise<void>;
}

/** A blank or whitespace-only token would protect nothing. */
export function checkAdminToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (token.trim().length < 16 || /\s/.test(token)) {
    throw new Error('the emulator admin token must be at least 16 characters without whitespace');
  }
  return token;
}

/** How long a connection closed with its body unread keeps discarding what still arrives. */
const LINGER_MS = 2_000;

/**
 * Unread body bytes would be parsed as the next request, and reading them all is what the limit prevents: the
 * answer says `Connection: close`. Node then destroys the socket as soon as the answer is flushed, and a
 * socket destroyed with unread bytes sends a TCP RST, which can make the client lose the answer it was about
 * to read. So close the way HTTP servers do ("lingering close"): send FIN, discard input for a moment, then
 * destroy.
 */
function closeAfterAnswer(req: http.IncomingMessage): void {
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

function send(req: http.IncomingMessage, res: http.ServerResponse, r: ApiResponse): void {
  const headers: Record<string, string | number> = {
    ...r.headers,
    'Content-Length': Buffer.byteLength(r.body),
  };
  if (bodyPending(req)) {
    headers.Connection = 'close';
    closeAfterAnswer(req);
  }
  res.writeHead(r.status, headers);
  res.end(r.body);
}

function sendAdmin(req: http.IncomingMessage, res: http.ServerResponse, a: AdminAnswer): void {
  const headers = { 'Content-Type': 'application/json', ...a.headers };
  send(req, res, { status: a.status, headers, body: JSON.stringify(a.value) });
}

export function createHandler(
  engine: Engine,
  options: HandlerOptions = {},
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const adminToken = checkAdminToken(options.adminToken);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const held = new Set<NodeJS.Timeout>();

  /** Withholds an answer: the call took effect, the client must not learn it. */
  const spoil = (req: http.IncomingMessage, how: NonNullable<ApiResponse['spoil']>): void => {
    if (how.kind === 'resetAfterCommit') {
      req.socket.resetAndDestroy();
      return;
    }
    const timer = setTimeout(() => {
      held.delete(timer);
      req.socket.destroy();
    }, how.holdMs);
    held.add(timer);
    req.socket.once('close', () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  };

  const admin = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    pathname: string,
  ) => {
    if (!adminAuthorized(req, adminToken)) return sendAdmin(req, res, UNAUTHORIZED);
    const found = adminRoute(method, pathname);
    if (!('route' in found)) return sendAdmin(req, res, found);
    let body = '';
    if (found.route.body) {
      try {
        body = await readBody(req, maxBody);
      } catch (e) {
        const status = e instanceof ApiError ? e.status : 400;
        return sendAdmin(req, res, { status, value: { error: e instanceof Error ? e.message : String(e) } });
      }
    }
    sendAdmin(req, res, runAdmin(engine, found.route, found.params, body));
  };

  return (req, res) => {
    const handle = async (): Promise<void> => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
        return admin(req, res, method, url.pathname);
      }
      // SQS's JSON protocol: POST / with X-Amz-Target: AmazonSQS.<Operation>, on the same port.
      if (isSqsRequest(req.headers)) {
        const answer = await engine.handleSqs({
          headers: req.headers,
          readBody: () => readBody(req, maxBody),
          cancelled: new Promise<void>((resolve) => res.once('close', () => resolve())),
        });
        return send(req, res, answer);
      }
      const match = engine.router.match(method, url.pathname, url.searchParams);
      if (!match) {
        const err = new ApiError(
          'UnknownOperationException',
          `No operation matches ${method} ${url.pathname}`,
        );
        return send(req, res, errorResponse(err, randomUUID()));
      }
      const answer = await engine.handle({
        match,
        query: url.searchParams,
        headers: req.headers,
        readBody: () => readBody(req, maxBody),
      });
      if (answer.spoil) spoil(req, answer.spoil);
      else send(req, res, answer);
    };
    handle().catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const err = new ApiError('ServiceFailureException', e instanceof Error ? e.message : String(e));
      send(req, res, errorResponse(err, randomUUID()));
    });
  };
}

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const engine = new Engine(options.config);
  const server = http.createServer(
    { keepAlive: true },
    createHandler(engine, { adminToken: options.adminToken, maxBodyBytes: options.maxBodyBytes }),
  );
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const timer = setInterval(() => engine.sweep(), 1_000);
  timer.unref();
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${shownHost}:${port}`,
    port,
    state: () => engine.state(),
    counters: () => engine.counters(),
    configure: (patch) => engine.configure(patch),
    reset: () => engine.reset(),
    advanceClock: (ms) => engine.advanceClock(ms),
    connect: (meetingId, attendeeId) => engine.connect(meetingId, attendeeId),
    disconnect: (meetingId, attendeeId) => engine.disconnect(meetingId, attendeeId),
    drop: (meetingId, attendeeId) => engine.drop(meetingId, attendeeId),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        clearInterval(timer);
        engine.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
