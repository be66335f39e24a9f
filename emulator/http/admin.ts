/**
 * The admin API under /_emulator: state, counters, config, reset, clock and connections (connect, disconnect, drop). With an admin token set, every
 * admin request needs `Authorization: Bearer <token>` (401 otherwise), checked before the route and the body.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import { ConfigPatchError } from '../config';
import type { Engine } from '../engine';
import { ApiError } from '../errors';

export const ADMIN_PREFIX = '/_emulator';

/** An admin answer: status and a JSON value. */
export interface AdminAnswer {
  status: number;
  value: unknown;
  headers?: Record<string, string>;
}

interface AdminRoute {
  method: string;
  path: RegExp;
  /** Whether the route reads a JSON body. */
  body: boolean;
  run: (engine: Engine, params: string[], body: unknown) => AdminAnswer;
}

/** A bad admin request: 400 naming the field. */
class AdminInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const ROUTES: AdminRoute[] = [
  { method: 'GET', path: /^\/state$/, body: false, run: (e) => ({ status: 200, value: e.state() }) },
  { method: 'GET', path: /^\/counters$/, body: false, run: (e) => ({ status: 200, value: e.counters() }) },
  { method: 'GET', path: /^\/config$/, body: false, run: (e) => ({ status: 200, value: e.getConfig() }) },
  {
    method: 'PUT',
    path: /^\/config$/,
    body: true,
    run: (e, _, b) => ({ status: 200, value: e.configure(b) }),
  },
  {
    method: 'POST',
    path: /^\/reset$/,
    body: false,
    run: (e) => {
      e.reset();
      return { status: 200, value: { reset: true } };
    },
  },
  {
    method: 'POST',
    path: /^\/clock\/advance$/,
    body: true,
    run: (e, _, b) => {
      const ms = (b as { ms?: unknown }).ms;
      if (typeof ms !== 'number') throw new AdminInputError('ms', 'body must be {"ms": number}');
      try {
        e.advanceClock(ms);
      } catch (err) {
        if (err instanceof RangeError) throw new AdminInputError('ms', err.message);
        throw err;
      }
      return { status: 200, value: { now: new Date(e.clock.now()).toISOString() } };
    },
  },
  {
    method: 'POST',
    path: /^\/meetings\/([^/]+)\/attendees\/([^/]+)\/(connect|disconnect|drop)$/,
    body: false,
    run: (e, [meeting = '', attendee = '', action]) => {
      const meetingId = decodeURIComponent(meeting);
      const attendeeId = decodeURIComponent(attendee);
      // `changed` is false when the attendee already was in that state: no event was emitted.
      const changed =
        action === 'connect'
          ? e.connect(meetingId, attendeeId)
          : action === 'drop'
            ? e.drop(meetingId, attendeeId)
            : e.disconnect(meetingId, attendeeId);
      return { status: 200, value: { meetingId, attendeeId, connected: action === 'connect', changed } };
    },
  },
];

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time check of `Authorization: Bearer <token>`; always true without a token. */
export function adminAuthorized(req: http.IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return timingSafeEqual(digest(given), digest(token));
}

/** The route for a request, or a 404 answer; nothing is read yet. */
export function adminRoute(
  method: string,
  pathname: string,
): { route: AdminRoute; params: string[] } | AdminAnswer {
  const rest = pathname.slice(ADMIN_PREFIX.length);
  for (const route of ROUTES) {
    const m = route.method === method ? route.path.exec(rest) : null;
    if (m) return { route, params: m.slice(1) };
  }
  return { status: 404, value: { error: `no admin route ${method} ${pathname}` } };
}

export function runAdmin(engine: Engine, route: AdminRoute, params: string[], body: string): AdminAnswer {
  try {
    const input: unknown = route.body && body.trim() !== '' ? JSON.parse(body) : {};
    return route.run(engine, params, input);
  } catch (e) {
    if (e instanceof AdminInputError || e instanceof ConfigPatchError) {
      return { status: 400, value: { error: e.message, field: e.field } };
    }
    const status = e instanceof ApiError ? e.status : 400;
    return { status, value: { error: e instanceof Error ? e.message : String(e) } };
  }
}

export const UNAUTHORIZED: AdminAnswer = {
  status: 401,
  value: { error: 'the admin API needs Authorization: Bearer <admin token>' },
  headers: { 'WWW-Authenticate': 'Bearer realm="chime-emulator-admin"' },
};
