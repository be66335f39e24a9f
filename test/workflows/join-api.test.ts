/**
 * The join API against a real webinar: dev server, emulator, the real activities writing a PGlite credential
 * store, and the published status read with describe(). What it answers for a host, a speaker, a replica
 * viewer and a promoted replica viewer is what amazon-chime-sdk-js is built from; before provisioning it says
 * "not yet", after a removal and after the end "gone"; and answering costs Chime nothing (no GetAttendee, no
 * GetMeeting: every GetMeeting the emulator counts is a health check of the workflow's own activities).
 */
import { GetAttendeeCommand, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { MeetingSessionConfiguration } from 'amazon-chime-sdk-js';
import { openCredentialStore, type SqlCredentialStore } from '../../activities/credentials';
import type { JoinAnswer } from '../../client/join-api/answer';
import { describePhase } from '../../client/join-api/published-phase';
import { STORE_CHECK_MS } from '../../client/join-api/credential-snapshots';
import { startJoinApi, type RunningJoinApi } from '../../client/join-api/server';
import { mintJoinToken } from '../../client/library/join-link';
import { WebinarClient } from '../../client/library/webinar-client';
import { generateEncryptionKey, parseEncryptionKeys } from '../../client/temporal/codec';
import type { ChimeActivities } from '../../domain/chime';
import { attendeeQuery, operatorUpdates } from '../../workflows/definitions';
import { clientFor } from '../emulator/helpers';
import {
  CONTROL_REGION,
  soonWebinarSpec,
  useWebinarStack,
  waitForPublishedStatus,
} from '../support/webinar-stack';

const keys = parseEncryptionKeys(generateEncryptionKey('j1'));
const SECRET = 'scheduler-secret-0123456789abcdefghij';
let store: SqlCredentialStore;
let api: RunningJoinApi;
/** GetMeeting calls the workflow's activities made (its health checks of the primary). */
let activityGetMeetings = 0;
let activityGetAttendees = 0;

function counting(activities: ChimeActivities): ChimeActivities {
  return {
    ...activities,
    getMeeting: (input) => {
      activityGetMeetings += 1;
      return activities.getMeeting(input);
    },
    getAttendee: (input) => {
      activityGetAttendees += 1;
      return activities.getAttendee(input);
    },
  };
}

beforeAll(async () => {
  store = await openCredentialStore({ engine: 'pglite' }, undefined);
});
const stackOf = useWebinarStack({ server: 'dev', credentials: () => store, wrapActivities: counting });
beforeAll(async () => {
  const client = stackOf().env.client;
  api = await startJoinApi({
    port: 0,
    store,
    linkKeys: keys,
    serviceTokens: [{ name: 'scheduler', secret: SECRET }],
    phaseOf: (webinarId) => describePhase(client, webinarId),
  });
});
afterAll(async () => {
  await api?.close();
  await store?.close();
});

interface Reply {
  status: number;
  retryAfter: string | null;
  body: JoinAnswer & { error?: string; retryAt?: string };
}

async function join(webinarId: string, externalUserId: string, flow: 'link' | 'service'): Promise<Reply> {
  const res = await fetch(`${api.url}/v1/join`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(flow === 'service' ? { Authorization: `Bearer ${SECRET}` } : {}),
    },
    body: JSON.stringify(
      flow === 'link'
        ? {
            token: mintJoinToken(
              { webinarId, externalUserId, expiresAt: new Date(Date.now() + 3600_000) },
              keys,
            ),
          }
        : { webinarId, externalUserId },
    ),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Reply['body'],
  };
}

/** Joins until the answer's status is `status` (the published phase is read at most once a second). */
async function joinUntil(
  status: number,
  webinarId: string,
  externalUserId: string,
  timeoutMs = 15_000,
): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  let last: Reply;
  do {
    last = await join(webinarId, externalUserId, 'link');
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  throw new Error(`join never answered ${status}; last: ${last.status} ${JSON.stringify(last.body.error)}`);
}

/** The join API trusts a webinar's snapshot for STORE_CHECK_MS: a change is answered by the first join after. */
function pastStoreCheck(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, STORE_CHECK_MS + 20));
}

/** Chime's own answers, asked after the fact, to compare the join answers with (counted apart). */
let ownGetMeetings = 0;
let ownGetAttendees = 0;
async function expectAcceptedByTheSdk(
  pair: { Meeting: JoinAnswer['Meeting']; Attendee: JoinAnswer['Attendee'] },
  where: { meetingId: string; attendeeId: string },
): Promise<void> {
  const config = new MeetingSessionConfiguration(pair.Meeting, pair.Attendee);
  expect(config.meetingId).toBe(where.meetingId);
  expect(config.credentials?.attendeeId).toBe(where.attendeeId);
  const chime = clientFor(stackOf().emulator, CONTROL_REGION);
  try {
    ownGetAttendees += 1;
    const { Attendee } = await chime.send(
      new GetAttendeeCommand({ MeetingId: where.meetingId, AttendeeId: where.attendeeId }),
    );
    ownGetMeetings += 1;
    const { Meeting } = await chime.send(new GetMeetingCommand({ MeetingId: where.meetingId }));
    expect(config.credentials?.joinToken).toBe(Attendee?.JoinToken);
    expect(config.credentials?.externalUserId).toBe(Attendee?.ExternalUserId);
    expect(config.urls?.audioHostURL).toBe(Meeting?.MediaPlacement?.AudioHostUrl);
    expect(config.urls?.signalingURL).toBe(Meeting?.MediaPlacement?.SignalingUrl);
    expect(config.urls?.turnControlURL).toBe(Meeting?.MediaPlacement?.TurnControlUrl);
    expect(config.urls?.eventIngestionURL).toBe(Meeting?.MediaPlacement?.EventIngestionUrl);
  } finally {
    chime.destroy();
  }
}

function expectNoChimeReadsForJoins(): void {
  const ops = stackOf().emulator.counters().operations;
  expect(ops.GetAttendee?.calls ?? 0).toBe(activityGetAttendees + ownGetAttendees);
  expect(ops.GetMeeting?.calls ?? 0).toBe(activityGetMeetings + ownGetMeetings);
  expect(activityGetAttendees).toBe(0);
}

it('answers host, speaker, replica viewer and promoted viewer as the Chime SDK expects; not yet, then gone', async () => {
  const stack = stackOf();
  const now = Date.now();
  // More viewers than the primary seats: the last ones are placed in a replica.
  const spec = soonWebinarSpec({
    startAt: new Date(now + 10_000).toISOString(),
    provisionLeadSeconds: 3,
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      { externalUserId: 'speaker-1', role: 'speaker' },
      ...Array.from({ length: 260 }, (_, i) => ({ externalUserId: `viewer-${i}`, role: 'viewer' as const })),
    ],
  });
  // Scheduled as a scheduling system does, so the calendar's WebinarProvisionAt is set.
  const { handle } = await new WebinarClient(stack.env.client, {
    taskQueue: stack.taskQueue,
    calendar: false,
  }).schedule(spec);
  const { webinarId } = spec;

  // Before provisioning: not yet, come back when it begins (WebinarProvisionAt: startAt less the lead).
  await waitForPublishedStatus(handle, (m) => m.phase === 'SCHEDULED');
  const early = await join(webinarId, 'host-1', 'link');
  expect(early.status).toBe(503);
  expect(early.body).toEqual({
    error: 'not-yet',
    retryAt: new Date(Date.parse(spec.startAt) - 3_000).toISOString(),
  });
  expect(Number(early.retryAfter)).toBeGreaterThanOrEqual(1);

  await waitForPublishedStatus(handle, (m) => m.phase === 'READY' || m.phase === 'LIVE', 60_000);
  const calls = stack.emulator.counters().operations;
  const createsBefore = calls.CreateAttendee?.calls ?? 0;

  const where = async (externalUserId: string): Promise<{ meetingId: string; attendeeId: string }> =>
    handle.query(attendeeQuery, { externalUserId });
  const host = await joinUntil(200, webinarId, 'host-1');
  const hostAt = await where('host-1');
  const speaker = await join(webinarId, 'speaker-1', 'service');
  expect([host.body.role, speaker.status, speaker.body.role]).toEqual(['presenter', 200, 'presenter']);
  const primaryId = hostAt.meetingId;
  const located = await Promise.all(
    ['viewer-259', 'viewer-258'].map(async (id) => ({ id, at: await where(id) })),
  );
  const inReplica = located.find((v) => v.at.meetingId !== primaryId);
  if (!inReplica) throw new Error('no viewer was placed in a replica');
  const viewer = await join(webinarId, inReplica.id, 'link');
  expect([viewer.status, viewer.body.role, viewer.body.Primary]).toEqual([200, 'viewer', undefined]);
  expect(viewer.body.Meeting.PrimaryMeetingId).toBe(primaryId);
  expectNoChimeReadsForJoins();

  await expectAcceptedByTheSdk(host.body, hostAt);
  await expectAcceptedByTheSdk(speaker.body, await where('speaker-1'));
  await expectAcceptedByTheSdk(viewer.body, inReplica.at);

  // Promoted: the replica pair to watch in, the primary pair to present in.
  const promoted = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
    args: [{ externalUserId: inReplica.id }],
  });
  expect(stack.emulator.counters().operations.CreateAttendee?.calls ?? 0).toBeGreaterThan(createsBefore);
  await pastStoreCheck();
  const both = await join(webinarId, inReplica.id, 'service');
  expect([both.status, both.body.role]).toEqual([200, 'presenter']);
  expect(both.body.Meeting.MeetingId).toBe(inReplica.at.meetingId);
  const primaryPair = both.body.Primary;
  if (!primaryPair) throw new Error(`no Primary pair for the promoted viewer (${JSON.stringify(promoted)})`);
  expect(primaryPair.Meeting.MeetingId).toBe(primaryId);
  expect(primaryPair.Attendee.Capabilities?.Audio).toBe('SendReceive');
  await expectAcceptedByTheSdk(both.body, inReplica.at);
  await expectAcceptedByTheSdk(primaryPair, {
    meetingId: primaryId,
    attendeeId: primaryPair.Attendee.AttendeeId ?? '',
  });

  // A primary viewer promoted in place (its capabilities updated, no second attendee) presents; demoted, views.
  const inPrimary = 'viewer-0';
  expect((await where(inPrimary)).meetingId).toBe(primaryId);
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: inPrimary }] });
  await pastStoreCheck();
  const inPlace = await join(webinarId, inPrimary, 'link');
  expect([inPlace.status, inPlace.body.role, inPlace.body.Primary]).toEqual([200, 'presenter', undefined]);
  await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: inPrimary }] });
  await pastStoreCheck();
  expect((await join(webinarId, inPrimary, 'link')).body.role).toBe('viewer');

  // Removed: gone (the webinar is live, and no row will come).
  const removed = located.find((v) => v.id !== inReplica.id);
  if (!removed) throw new Error('no second viewer');
  await handle.executeUpdate(operatorUpdates.removeAttendee, { args: [{ externalUserId: removed.id }] });
  await pastStoreCheck();
  expect((await join(webinarId, removed.id, 'link')).body).toEqual({ error: 'gone' });

  // Ended: gone for everyone, the host included.
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();
  expect(await joinUntil(410, webinarId, 'host-1')).toMatchObject({ body: { error: 'gone' } });
  expect((await join('never-scheduled', 'host-1', 'service')).body).toEqual({ error: 'gone' });
  expect(stack.liveMeetings()).toBe(0);
  expectNoChimeReadsForJoins();
});
