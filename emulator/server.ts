import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeepPartial, EmulatorConfig } from './config';
import { Engine, errorResponse, type ApiResponse, type EmulatorState } from './engine';
import { ApiError } from './errors';

export interface StartOptions {
  port?: number;
  host?: string;
  config?: DeepPartial<EmulatorConfig>;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  state(): EmulatorState;
  configure(patch: DeepPartial<EmulatorConfig>): EmulatorConfig;
  reset(): void;
  advanceClock(ms: number): void;
  connect(meetingId: string, attendeeId: string): void;
  disconnect(meetingId: string, attendeeId: string): void;
  close(): Promise<void>;
}

const ADMIN = '/_emulator';
const CONNECTION = /^\/_emulator\/meetings\/([^/]+)\/attendees\/([^/]+)\/(connect|disconnect)$/;

function send(res: http.ServerResponse, r: ApiResponse): void {
  res.writeHead(r.status, { ...r.headers, 'Content-Length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    req.on('error', reject);
  });
}

function parseJson(body: string): unknown {
  return body.trim() === '' ? {} : JSON.parse(body);
}

function admin(
  engine: Engine,
  method: string,
  pathname: string,
  body: string,
  res: http.ServerResponse,
): void {
  try {
    if (method === 'GET' && pathname === `${ADMIN}/state`) return json(res, 200, engine.state());
    if (method === 'GET' && pathname === `${ADMIN}/config`) return json(res, 200, engine.getConfig());
    if (method === 'PUT' && pathname === `${ADMIN}/config`)
      return json(res, 200, engine.configure(parseJson(body)));
    if (method === 'POST' && pathname === `${ADMIN}/reset`) {
      engine.reset();
      return json(res, 200, { reset: true });
    }
    if (method === 'POST' && pathname === `${ADMIN}/clock/advance`) {
      const ms = (parseJson(body) as { ms?: unknown }).ms;
      if (typeof ms !== 'number') return json(res, 400, { error: 'body must be {"ms": number}' });
      engine.advanceClock(ms);
      return json(res, 200, { now: new Date(engine.clock.now()).toISOString() });
    }
    const m = CONNECTION.exec(pathname);
    if (method === 'POST' && m) {
      const meetingId = decodeURIComponent(m[1] ?? '');
      const attendeeId = decodeURIComponent(m[2] ?? '');
      if (m[3] === 'connect') engine.connect(meetingId, attendeeId);
      else engine.disconnect(meetingId, attendeeId);
      return json(res, 200, { meetingId, attendeeId, connected: m[3] === 'connect' });
    }
    return json(res, 404, { error: `no admin route ${method} ${pathname}` });
  } catch (e) {
    const status = e instanceof ApiError ? e.status : 400;
    return json(res, status, { error: e instanceof Error ? e.message : String(e) });
  }
}

export function createHandler(engine: Engine): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const handle = async (): Promise<void> => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname === ADMIN || url.pathname.startsWith(`${ADMIN}/`)) {
        const body = await readBody(req);
        return admin(engine, method, url.pathname, body, res);
      }
      const match = engine.router.match(method, url.pathname, url.searchParams);
      const body = await readBody(req);
      if (!match) {
        const err = new ApiError(
          'UnknownOperationException',
          `No operation matches ${method} ${url.pathname}`,
        );
        return send(res, errorResponse(err, randomUUID()));
      }
      send(res, await engine.handle({ match, query: url.searchParams, headers: req.headers, body }));
    };
    handle().catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const err = new ApiError('ServiceFailureException', e instanceof Error ? e.message : String(e));
      send(res, errorResponse(err, randomUUID()));
    });
  };
}

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const engine = new Engine(options.config);
  const server = http.createServer({ keepAlive: true }, createHandler(engine));
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
    configure: (patch) => engine.configure(patch),
    reset: () => engine.reset(),
    advanceClock: (ms) => engine.advanceClock(ms),
    connect: (meetingId, attendeeId) => engine.connect(meetingId, attendeeId),
    disconnect: (meetingId, attendeeId) => engine.disconnect(meetingId, attendeeId),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        clearInterval(timer);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
