/// <reference lib="dom" />
/**
 * The join page's script (bundled for browsers by index.ts beside it). It reads the token from the link's
 * fragment, takes it out of the address bar at once (history.replaceState: it stays out of the history, of a
 * bookmark, of a shared screen), posts it to the join API, and on 200 builds the Chime SDK's
 * MeetingSessionConfiguration from the answer: what the page shows is read from that object (meeting ID,
 * attendee ID), the Region from the meeting's MediaRegion. It does not connect.
 *
 * 503 not-yet (and 503 busy, 429): shows when it asks again and does (Retry-After, else retryAt). 410 gone
 * and 401 refused: shows the message. Everything is written with textContent: nothing the service answers is
 * parsed as HTML.
 */
import MeetingSessionConfiguration from 'amazon-chime-sdk-js/build/meetingsession/MeetingSessionConfiguration';

type State = 'loading' | 'joined' | 'waiting' | 'gone' | 'refused' | 'error';

interface ChimeMeeting {
  MeetingId?: string;
  MediaRegion?: string;
}

interface Seat {
  Meeting: ChimeMeeting;
  Attendee: Record<string, unknown>;
}

interface JoinAnswer extends Seat {
  webinarId?: string;
  externalUserId?: string;
  role?: string;
  Primary?: Seat;
}

/** The longest the page waits before asking again (a webinar weeks ahead: the page asks once an hour). */
const MAX_WAIT_MS = 3_600_000;
const NETWORK_RETRY_MS = [2_000, 5_000, 10_000, 30_000];

const main = document.querySelector<HTMLElement>('[data-testid="join-page"]');

function byTestId(id: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`join page: no element ${id}`);
  return element;
}

function setState(state: State, status: string): void {
  if (main) main.dataset.state = state;
  byTestId('join-status').textContent = status;
}

function show(id: string, text: string | null | undefined): void {
  byTestId(id).textContent = text ?? '—';
}

function reveal(id: string, visible: boolean): void {
  byTestId(id).hidden = !visible;
}

function fail(
  state: Exclude<State, 'loading' | 'joined' | 'waiting'>,
  message: string,
  reason?: string,
): void {
  setState(state, state === 'gone' ? 'This webinar is over.' : 'This join link does not open the webinar.');
  const error = byTestId('join-error');
  error.textContent = message;
  if (reason) error.dataset.reason = reason;
  reveal('join-error', true);
  reveal('join-retry', false);
}

/** The configuration the Chime SDK would join with, and the Region of its meeting. */
function seat(answer: Seat): { configuration: MeetingSessionConfiguration; region: string | undefined } {
  return {
    configuration: new MeetingSessionConfiguration(answer.Meeting, answer.Attendee),
    region: answer.Meeting.MediaRegion,
  };
}

function joined(answer: JoinAnswer): void {
  const own = seat(answer);
  const name = own.configuration.credentials?.externalUserId ?? answer.externalUserId;
  setState('joined', `Welcome, ${name ?? 'attendee'}: your seat is ready.`);
  show('join-name', name);
  show('join-role', answer.role);
  show('join-meeting-id', own.configuration.meetingId);
  show('join-attendee-id', own.configuration.credentials?.attendeeId);
  show('join-region', own.region);
  reveal('join-details', true);
  if (answer.Primary) {
    const primary = seat(answer.Primary);
    show('join-primary-meeting-id', primary.configuration.meetingId);
    show('join-primary-attendee-id', primary.configuration.credentials?.attendeeId);
    show('join-primary-region', primary.region);
  }
  reveal('join-primary', answer.Primary !== undefined);
  reveal('join-retry', false);
  reveal('join-error', false);
}

/** Milliseconds until the service asks to be asked again: Retry-After (seconds or a date), else retryAt. */
function waitFor(response: Response, retryAt: unknown): number {
  const header = response.headers.get('Retry-After');
  let ms = Number.NaN;
  if (header !== null && /^\d+$/.test(header.trim())) ms = Number(header) * 1000;
  else if (header !== null) ms = Date.parse(header) - Date.now();
  if (!Number.isFinite(ms) && typeof retryAt === 'string') ms = Date.parse(retryAt) - Date.now();
  if (!Number.isFinite(ms)) ms = 10_000;
  return Math.min(Math.max(ms, 1_000), MAX_WAIT_MS);
}

function waiting(ms: number, notYet: boolean): void {
  const at = new Date(Date.now() + ms);
  setState('waiting', notYet ? 'The webinar’s meetings are not open yet.' : 'The join service is busy.');
  const retry = byTestId('join-retry');
  retry.textContent = `This page asks again at ${at.toLocaleTimeString()} (in ${Math.ceil(ms / 1000)} s).`;
  retry.dataset.retryInMs = String(ms);
  reveal('join-retry', true);
  reveal('join-error', false);
}

async function join(api: string, token: string, attempt = 0): Promise<void> {
  let response: Response;
  let body: Record<string, unknown> | undefined;
  try {
    response = await fetch(api, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  } catch {
    const ms = NETWORK_RETRY_MS[Math.min(attempt, NETWORK_RETRY_MS.length - 1)] ?? 30_000;
    setState('error', `The join service cannot be reached; trying again in ${ms / 1000} s.`);
    setTimeout(() => void join(api, token, attempt + 1), ms);
    return;
  }
  if (
    response.status === 200 &&
    body &&
    typeof body.Meeting === 'object' &&
    typeof body.Attendee === 'object'
  ) {
    joined(body as unknown as JoinAnswer);
  } else if (response.status === 503 || response.status === 429) {
    // not-yet: the meetings open later; busy, unavailable, rate-limited: the service asks for a pause.
    const ms = waitFor(response, body?.retryAt);
    waiting(ms, body?.error === 'not-yet');
    setTimeout(() => void join(api, token), ms);
  } else if (response.status === 410) {
    fail(
      'gone',
      typeof body?.message === 'string' ? body.message : 'The webinar has ended: its meetings are closed.',
    );
  } else if (response.status === 401) {
    const reason = typeof body?.reason === 'string' ? body.reason : undefined;
    fail('refused', typeof body?.message === 'string' ? body.message : 'The join link was refused.', reason);
  } else {
    setState('error', 'The join service could not answer.');
    const error = byTestId('join-error');
    error.textContent = `It answered ${response.status}; open the link again later.`;
    reveal('join-error', true);
  }
}

function start(): void {
  const token = location.hash.replace(/^#/, '');
  // The token leaves the address bar before anything else happens.
  if (location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  if (!token) {
    fail(
      'refused',
      'Open this page from your join link: the link you were sent ends in #j1. and a code.',
      'no-token',
    );
    return;
  }
  void join(main?.dataset.joinApi ?? '/v1/join', token);
}

start();
