/**
 * The join API: `POST /v1/join` answers one attendee's Chime credentials from the credential store, for a
 * browser holding a signed join link (`{"token"}`) or for a backend with a service token
 * (`Authorization: Bearer`, `{"webinarId","externalUserId"}`). Beside it: `GET /healthz`, `GET /metrics`, and,
 * when given a page, `GET /join` and `GET /join/app.js`. Every answer is JSON and `no-store`; the API and its
 * limits are in docs/join-api.md.
 *
 * It never asks Chime (no GetAttendee, no GetMeeting): the store holds what the activities wrote. Whether
 * waiting can help comes from the webinar's published status memo, read through describe() at most once a
 * second per webinar. Nothing it logs or counts names a token or an attendee.
 *
 * The process that runs it, configured by the environment, is main.ts beside this file.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EncryptionKey } from '../temporal/codec';
import { joinAnswer } from './answer';
import { credentialSnapshots, type SnapshotSource } from './credential-snapshots';
import { readBoundedBody } from './body';
import { decideJoin } from './decision';
import { parseLinkJoin, parseServiceJoin, type ParsedJoin } from './join-request';
import { joinApiMetrics, type JoinApiMetrics, type JoinFlow, type JoinOutcome } from './metrics';
import { cachedPhaseOf, PHASE_CACHE_MS, type PhaseOf, type PublishedPhase } from './published-phase';
import { rateLimiter, type RateLimit } from './rate-limit';
import { serviceTokenMatcher, type ServiceToken } from './service-tokens';

export const DEFAULT_JOIN_API_PORT = 8090;
export const MAX_JOIN_BODY_BYTES = 4096;
/** Past this many answers being worked on, callers are asked to come back (503 busy) rather than queued. */
export const DEFAULT_MAX_CONCURRENT_JOINS = 256;
/** A link caller's address: generous, since an office or a mobile carrier puts many people behind one. */
export const DEFAULT_ADDRESS_LIMIT: RateLimit = { perSecond: 20, burst: 100 };
/** A backend: joins for a whole audience in a few minutes. */
export const DEFAULT_SERVICE_LIMIT: RateLimit = { perSecond: 500, burst: 2000 };
const UNAVAILABLE_RETRY_SECONDS = 5;

/** The join page (client/join-api/page/): its HTML and its one script. */
export interface JoinPage {
  html(): string;
  script(): Promise<string>;
}

/**
 * The page's policy: its own script and nothing inline; it talks to this API and to Chime's signalling and
 * media hosts; it may not be framed, and it names no referrer (its URL's fragment holds the join token).
 */
export const JOIN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self' https://*.chime.aws wss://*.chime.aws",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface JoinApiOptions {
  /** Read through snapshots (credential-snapshots.ts), checked every `storeCheckMs`. */
  store: SnapshotSource;
  storeCheckMs?: number;
  /** JOIN_LINK_KEYS: without them the link flow is off. */
  linkKeys?: readonly EncryptionKey[];
  /** JOIN_SERVICE_TOKENS: without them the backend flow is off. */
  serviceTokens?: readonly ServiceToken[];
  /** The webinar's published phase (describePhase); cached here per webinar for `phaseCacheMs`. */
  phaseOf: PhaseOf;
  phaseCacheMs?: number;
  now?: () => Date;
  page?: JoinPage;
  addressLimit?: RateLimit;
  serviceLimit?: RateLimit;
  maxConcurrent?: number;
  /** One structured line per answer and per unexpected error: outcome, flow, status, ms, the service's name. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface JoinApi {
  listener: RequestListener;
  metrics: JoinApiMetrics;
}

class Answer {
  constructor(
    readonly status: number,
    readonly outcome: JoinOutcome,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {}
}

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

function retryIn(seconds: number): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) };
}

export function createJoinApi(options: JoinApiOptions): JoinApi {
  if (!options.linkKeys?.length && !options.serviceTokens?.length) {
    throw new Error('createJoinApi: give join link keys, service tokens, or both');
  }
  const now = options.now ?? (() => new Date());
  const nowMs = (): number => now().getTime();
  const metrics = joinApiMetrics();
  const credentials = credentialSnapshots(options.store, {
    ...(options.storeCheckMs !== undefined ? { checkEveryMs: options.storeCheckMs } : {}),
    now: nowMs,
  });
  const phaseOf = cachedPhaseOf(
    (webinarId) => {
      metrics.phaseReads.inc();
      return options.phaseOf(webinarId);
    },
    { ttlMs: options.phaseCacheMs ?? PHASE_CACHE_MS, nowMs },
  );
  const byAddress = rateLimiter(options.addressLimit ?? DEFAULT_ADDRESS_LIMIT, nowMs);
  const byService = rateLimiter(options.serviceLimit ?? DEFAULT_SERVICE_LIMIT, nowMs);
  const serviceOf = options.serviceTokens?.length ? serviceTokenMatcher(options.serviceTokens) : undefined;
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_JOINS;
  const log = options.log ?? ((): void => undefined);
  let inFlight = 0;

  const limited = (wait: number): Answer | undefined =>
    wait > 0
      ? new Answer(429, 'rate-limited', { error: 'rate-limited', retryAfter: wait }, retryIn(wait))
      : undefined;

  /** The answer once the caller is known and its body read. */
  const answerFor = async (parsed: ParsedJoin): Promise<Answer> => {
    if (!parsed.ok) {
      return 'refused' in parsed
        ? new Answer(401, 'refused', { error: 'refused', reason: parsed.refused, message: parsed.message })
        : new Answer(400, 'invalid', { error: 'invalid', ...parsed.invalid });
    }
    const { webinarId, externalUserId } = parsed.subject;
    const [rows, phase] = await Promise.all([
      credentials.getAll(webinarId, externalUserId),
      phaseOf(webinarId).then(
        (p): PublishedPhase | undefined => p,
        (err: unknown) => {
          log({ event: 'phase-read-failed', errorKind: err instanceof Error ? err.name : typeof err });
          return undefined;
        },
      ),
    ]);
    const answer = joinAnswer(webinarId, externalUserId, rows);
    if (!phase) {
      // Temporal unreachable: the store alone still admits whoever has a row.
      return answer
        ? new Answer(200, 'joined', { ...answer })
        : new Answer(503, 'unavailable', { error: 'unavailable' }, retryIn(UNAVAILABLE_RETRY_SECONDS));
    }
    const decision = decideJoin(answer, phase, now());
    if (decision.kind === 'joined') return new Answer(200, 'joined', { ...decision.answer });
    if (decision.kind === 'gone') return new Answer(410, 'gone', { error: 'gone' });
    const seconds = (decision.retryAt.getTime() - nowMs()) / 1000;
    return new Answer(
      503,
      'not-yet',
      { error: 'not-yet', retryAt: decision.retryAt.toISOString() },
      retryIn(seconds),
    );
  };

  const join = async (
    req: IncomingMessage,
    flowOut: { flow: JoinFlow; service?: string },
  ): Promise<Answer> => {
    const authorization = req.headers.authorization;
    const address = req.socket.remoteAddress ?? 'unknown';
    let service: string | undefined;
    if (authorization !== undefined) {
      flowOut.flow = 'service';
      service = serviceOf?.(authorization);
      if (service === undefined) {
        // Guessing costs the guesser's address its bucket.
        return (
          limited(byAddress.take(address)) ??
          new Answer(
            401,
            'unauthorized',
            { error: 'unauthorized', message: 'missing or wrong service token' },
            { 'WWW-Authenticate': 'Bearer' },
          )
        );
      }
      flowOut.service = service;
      const wait = limited(byService.take(service));
      if (wait) return wait;
    } else {
      const wait = limited(byAddress.take(address));
      if (wait) return wait;
      if (!options.linkKeys?.length) {
        return new Answer(
          401,
          'unauthorized',
          { error: 'unauthorized', message: 'this service answers backends only: send a service token' },
          { 'WWW-Authenticate': 'Bearer' },
        );
      }
    }
    if (inFlight >= maxConcurrent) return new Answer(503, 'busy', { error: 'busy' }, retryIn(1));
    inFlight += 1;
    metrics.inFlight.inc();
    try {
      const body = await readBoundedBody(req, MAX_JOIN_BODY_BYTES);
      if (!body) {
        return new Answer(
          413,
          'too-large',
          { error: 'too-large', message: `the body is at most ${MAX_JOIN_BODY_BYTES} bytes` },
          { Connection: 'close' },
        );
      }
      const keys = options.linkKeys ?? [];
      return await answerFor(
        service !== undefined ? parseServiceJoin(body) : parseLinkJoin(body, keys, now()),
      );
    } finally {
      inFlight -= 1;
      metrics.inFlight.dec();
    }
  };

  const postJoin = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const who: { flow: JoinFlow; service?: string } = { flow: 'link' };
    let answer: Answer;
    try {
      answer = await join(req, who);
    } catch (err) {
      log({ event: 'join-error', errorKind: err instanceof Error ? err.name : typeof err });
      answer = new Answer(500, 'error', { error: 'internal' });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.answered(answer.outcome, who.flow, seconds);
    log({
      event: 'join',
      outcome: answer.outcome,
      status: answer.status,
      flow: who.flow,
      ...(who.service !== undefined ? { service: who.service } : {}),
      ms: Math.round(seconds * 1000),
    });
    if (answer.status === 413) res.once('finish', () => req.destroy());
    sendJson(res, answer.status, answer.body, answer.headers);
  };

  const page = async (res: ServerResponse, what: 'html' | 'script', p: JoinPage): Promise<void> => {
    const common = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    if (what === 'html') {
      res.writeHead(200, {
        ...common,
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Security-Policy': JOIN_PAGE_CSP,
      });
      res.end(p.html());
      return;
    }
    const script = await p.script();
    res.writeHead(200, {
      ...common,
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
    });
    res.end(script);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const only = (allowed: string): boolean => {
      if (method === allowed) return true;
      sendJson(res, 405, { error: 'method', message: `use ${allowed}` }, { Allow: allowed });
      return false;
    };
    if (path === '/v1/join') {
      if (only('POST')) await postJoin(req, res);
    } else if (path === '/healthz') {
      if (only('GET')) sendJson(res, 200, { ok: true });
    } else if (path === '/metrics') {
      if (only('GET')) {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      }
    } else if (options.page && (path === '/join' || path === '/join/app.js')) {
      if (only('GET')) await page(res, path === '/join' ? 'html' : 'script', options.page);
    } else {
      sendJson(res, 404, { error: 'not-found' });
    }
  };

  const listener: RequestListener = (req, res) => {
    route(req, res).catch((err: unknown) => {
      log({ event: 'error', errorKind: err instanceof Error ? err.name : typeof err });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
      else res.end();
    });
  };
  return { listener, metrics };
}

export interface RunningJoinApi {
  url: string;
  port: number;
  server: Server;
  api: JoinApi;
  close(): Promise<void>;
}

/** The API on a port (0: any free one), on loopback unless `host` says otherwise. */
export async function startJoinApi(
  options: JoinApiOptions & { port?: number; host?: string },
): Promise<RunningJoinApi> {
  const api = createJoinApi(options);
  const server = createServer(api.listener);
  // A slow or silent client gives up its connection rather than holding it.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_JOIN_API_PORT, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    api,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
