/**
 * The join page in headless Chromium against the real join API: a small webinar runs on the dev server with the
 * emulator, its attendees' credentials in a PGlite credential store; the join API (with the page) reads that
 * store. Each test opens a signed join link and reads what the page shows, which must be what Chime holds for
 * that attendee: name, role, meeting ID, attendee ID and Region, and for a promoted replica viewer the primary
 * meeting too. The token leaves the address bar, no request carries it in a URL, and the join API's
 * Content-Security-Policy stops nothing the page does. A link opened before the meetings exist waits and asks
 * again; a tampered one shows the refusal; one opened after the end, that it is over.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { openCredentialStore } from '../../activities/credentials';
import type { CredentialStore } from '../../domain/credentials';
import type { AttendeeLocation, WebinarSpec, WebinarStatus } from '../../domain/types';
import { mintJoinLink } from '../../client/library/join-link';
import type { EncryptionKey } from '../../client/temporal/codec';
import { joinPage } from '../../client/join-api/page';
import { describePhase } from '../../client/join-api/published-phase';
import { startJoinApi, type RunningJoinApi } from '../../client/join-api/server';
import { operatorUpdates } from '../../workflows/definitions';
import { launchChromium, newPage } from '../support/browser';
import {
  startWebinarStack,
  waitForAttendee,
  waitForStatus,
  webinarSpec,
  type WebinarStack,
} from '../support/webinar-stack';

const keys: EncryptionKey[] = [{ id: 'test', key: randomBytes(32) }];
let store: CredentialStore;
let stack: WebinarStack;
let api: RunningJoinApi;
let browser: Browser;
let spec: WebinarSpec;
let handle: Awaited<ReturnType<WebinarStack['start']>>;

beforeAll(async () => {
  // Chromium first: on a fresh machine this is where Debian's package is installed.
  browser = await launchChromium();
  store = await openCredentialStore({ engine: 'pglite' }, undefined);
  stack = await startWebinarStack({ server: 'dev', credentials: () => store });
  api = await startJoinApi({
    port: 0,
    store,
    linkKeys: keys,
    phaseOf: (webinarId) => describePhase(stack.env.client, webinarId),
    page: joinPage(),
  });
  // Starts in 6 s, provisions 2 s before: a link opened at once meets a webinar with no meeting yet. More
  // viewers than the primary seats: the last ones sit in a replica in eu-west-1.
  const now = Date.now();
  spec = webinarSpec(now, {
    startAt: new Date(now + 6_000).toISOString(),
    endAt: new Date(now + 600_000).toISOString(),
    provisionLeadSeconds: 2,
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      ...Array.from({ length: 260 }, (_, i) => ({ externalUserId: `viewer-${i}`, role: 'viewer' as const })),
    ],
  });
  handle = await stack.start(spec);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await stack?.shutdown();
  await store?.close();
});

function link(externalUserId: string): string {
  return mintJoinLink(
    `${api.url}/join`,
    { webinarId: spec.webinarId, externalUserId, expiresAt: new Date(Date.now() + 3_600_000) },
    keys,
  );
}

const FIELDS = {
  name: 'join-name',
  role: 'join-role',
  meetingId: 'join-meeting-id',
  attendeeId: 'join-attendee-id',
  region: 'join-region',
  primaryMeetingId: 'join-primary-meeting-id',
  primaryAttendeeId: 'join-primary-attendee-id',
  primaryRegion: 'join-primary-region',
} as const;

type Shown = { state: string | null; primaryShown: boolean; url: string } & Record<
  keyof typeof FIELDS,
  string
>;

async function shown(page: Page): Promise<Shown> {
  const text = async (id: string): Promise<string> =>
    ((await page.getByTestId(id).textContent()) ?? '').trim();
  const fields = Object.fromEntries(
    await Promise.all(Object.entries(FIELDS).map(async ([k, id]) => [k, await text(id)] as const)),
  ) as Record<keyof typeof FIELDS, string>;
  return {
    ...fields,
    state: await page.getByTestId('join-page').getAttribute('data-state'),
    primaryShown: await page.getByTestId('join-primary').isVisible(),
    url: page.url(),
  };
}

/**
 * What no page may do: send a request whose URL carries the token (the fragment is never sent, and the page
 * puts it in no URL), or be stopped by the join API's Content-Security-Policy.
 */
const leaks: string[] = [];
const violations: string[] = [];
afterEach(() => {
  expect({ leaks, violations }).toEqual({ leaks: [], violations: [] });
});

/** Opens `url` in a new page and waits until the page settles in one of `states`. */
async function open(url: string, label: string, states: string[], timeoutMs = 30_000): Promise<Page> {
  const page = await newPage(browser, label);
  const token = new URL(url).hash.slice(1);
  page.on('request', (r) => {
    if (token && r.url().includes(token)) leaks.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(url);
  try {
    await page.waitForFunction(
      (wanted) => wanted.includes(document.querySelector('main')?.dataset.state ?? ''),
      states,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (err) {
    throw new Error(
      `${label}: the page never showed ${states.join(' or ')}; it shows ${JSON.stringify(await shown(page))}`,
      {
        cause: err,
      },
    );
  }
  return page;
}

let ready: WebinarStatus;

it('waits while the meetings are not open, shows when it asks again, then shows the seat', async () => {
  const page = await open(link('viewer-0'), 'viewer-0', ['waiting', 'joined']);
  const first = await shown(page);
  expect(first.url).toBe(`${api.url}/join`);
  expect(first.state).toBe('waiting');
  expect(await page.getByTestId('join-retry').textContent()).toMatch(/asks again at .+ \(in \d+ s\)/);
  await page.waitForFunction(() => document.querySelector('main')?.dataset.state === 'joined', undefined, {
    timeout: 60_000,
    polling: 100,
  });
  ready = await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE');
  const seat: AttendeeLocation = await waitForAttendee(handle, 'viewer-0');
  expect(await shown(page)).toMatchObject({
    name: 'viewer-0',
    role: 'viewer',
    meetingId: seat.meetingId,
    attendeeId: seat.attendeeId,
    region: seat.region,
    primaryShown: false,
    url: `${api.url}/join`,
  });
  await page.context().close();
}, 120_000);

it('shows the host its name, role presenter, the primary meeting and its Region', async () => {
  const page = await open(link('host-1'), 'host-1', ['joined']);
  const seat = await waitForAttendee(handle, 'host-1');
  expect(await shown(page)).toMatchObject({
    name: 'host-1',
    role: 'presenter',
    meetingId: ready.primary?.meetingId,
    attendeeId: seat.attendeeId,
    region: 'us-east-1',
    primaryShown: false,
    url: `${api.url}/join`,
  });
  await page.context().close();
});

/** The last viewers of the roster, and where each sits: the primary seats the first ones only. */
async function replicaViewers(): Promise<{ externalUserId: string; seat: AttendeeLocation }[]> {
  const found = [];
  for (const { externalUserId } of [...spec.attendees].reverse().slice(0, 2)) {
    const seat = await waitForAttendee(handle, externalUserId);
    expect({ externalUserId, inReplica: ready.replicas.some((r) => r.meetingId === seat.meetingId) }).toEqual(
      {
        externalUserId,
        inReplica: true,
      },
    );
    found.push({ externalUserId, seat });
  }
  return found;
}

it('shows a replica viewer role viewer, its replica meeting and that Region', async () => {
  const [viewer] = await replicaViewers();
  const { externalUserId, seat } = viewer!;
  const page = await open(link(externalUserId), externalUserId, ['joined']);
  expect(seat.region).toBe('eu-west-1');
  expect(await shown(page)).toMatchObject({
    name: externalUserId,
    role: 'viewer',
    meetingId: seat.meetingId,
    attendeeId: seat.attendeeId,
    region: 'eu-west-1',
    primaryShown: false,
    url: `${api.url}/join`,
  });
  await page.context().close();
});

it('shows a promoted replica viewer both meetings: its replica, and on stage the primary', async () => {
  await waitForStatus(handle, (s) => s.phase === 'LIVE');
  const [, viewer] = await replicaViewers();
  const { externalUserId, seat: before } = viewer!;
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId }] });
  const rows = await store.getAll(spec.webinarId, externalUserId);
  const onStage = rows.find((r) => r.meeting.MeetingId === ready.primary?.meetingId);
  expect(onStage).toBeDefined();
  const page = await open(link(externalUserId), externalUserId, ['joined']);
  expect(await shown(page)).toEqual({
    state: 'joined',
    name: externalUserId,
    role: 'presenter',
    meetingId: before.meetingId,
    attendeeId: before.attendeeId,
    region: 'eu-west-1',
    primaryShown: true,
    primaryMeetingId: ready.primary?.meetingId,
    primaryAttendeeId: onStage?.attendee.AttendeeId,
    primaryRegion: 'us-east-1',
    url: `${api.url}/join`,
  });
  await page.context().close();
});

it('shows the refusal for a tampered link, and no seat', async () => {
  // A viewer's link rewritten to claim the host's seat, its signature kept.
  const good = new URL(link(spec.attendees[1]?.externalUserId ?? ''));
  const [version, keyId, claims, signature] = good.hash.slice(1).split('.');
  const [webinarId, , expires] = JSON.parse(Buffer.from(claims ?? '', 'base64url').toString()) as unknown[];
  const forged = Buffer.from(JSON.stringify([webinarId, 'host-1', expires])).toString('base64url');
  const tampered = `${api.url}/join#${[version, keyId, forged, signature].join('.')}`;
  const page = await open(tampered, 'tampered', ['refused']);
  expect(await page.getByTestId('join-error').textContent()).toMatch(/signature does not match/);
  expect(await page.getByTestId('join-error').getAttribute('data-reason')).toBe('bad-signature');
  expect(await page.getByTestId('join-details').isVisible()).toBe(false);
  expect(page.url()).toBe(`${api.url}/join`);
  await page.context().close();
});

it('says the webinar is over once it has ended', async () => {
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'test over' }] });
  await handle.result();
  const page = await open(link('host-1'), 'host-1 after the end', ['gone']);
  expect(await page.getByTestId('join-status').textContent()).toBe('This webinar is over.');
  expect(await page.getByTestId('join-details').isVisible()).toBe(false);
  await page.context().close();
});
