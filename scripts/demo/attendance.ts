/**
 * The demo's attendance: an events bridge in this process reads the emulator's meeting events queue and
 * signals the webinar; a few attendees connect to their meetings with the credentials the join API answers
 * from (the store), one drops and comes back, one leaves; the live counts are read from the published status,
 * and after the end the records come back from the store.
 */
import type { Client } from '@temporalio/client';
import { startEventsBridge, type EventsBridge } from '../../client/events-bridge/bridge';
import { DEFAULT_TUNING } from '../../client/events-bridge/config';
import { bridgeMetrics } from '../../client/events-bridge/metrics';
import { eventsQueue, sqsClientOf } from '../../client/events-bridge/queue';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { WebinarClient } from '../../client/library/webinar-client';
import type { AttendanceRecord, AttendanceTotals } from '../../domain/attendance';
import type { CredentialStore } from '../../domain/credentials';
import type { WebinarSpec } from '../../domain/types';
import type { RunningEmulator } from '../../emulator';

/** The emulator's default events queue of the control Region: what an EventBridge rule feeds in AWS. */
export const DEMO_EVENTS_QUEUE = 'chime-meeting-events';
/** How many attendees the demo connects (the host, the promoted viewer and a few viewers). */
const CONNECTED = 6;

export async function startDemoBridge(
  client: Client,
  emulator: RunningEmulator,
  region: string,
): Promise<EventsBridge> {
  const settings = { queueUrl: '', region, endpoint: emulator.endpoint };
  const sqs = sqsClientOf(settings);
  settings.queueUrl =
    (await sqs.send(new GetQueueUrlCommand({ QueueName: DEMO_EVENTS_QUEUE }))).QueueUrl ?? '';
  return startEventsBridge({
    client,
    queue: eventsQueue(settings, sqs),
    // Short polls: the demo's queue is quiet between its bursts.
    tuning: { ...DEFAULT_TUNING, waitSeconds: 1 },
    metrics: bridgeMetrics(),
    log: () => undefined,
  });
}

/** Who the demo connects: the given ones first (host, promoted viewer), then viewers, CONNECTED in all. */
function joiners(spec: WebinarSpec, first: string[]): string[] {
  const rest = spec.attendees.map((a) => a.externalUserId).filter((id) => !first.includes(id));
  return [...first, ...rest].slice(0, CONNECTED);
}

/**
 * Connects the joiners to every meeting they hold credentials for (a promoted viewer: its replica and the
 * primary); the last one drops and comes back, the one before leaves. Waits for the published counts.
 */
export async function connectAttendees(
  webinars: WebinarClient,
  spec: WebinarSpec,
  store: CredentialStore,
  emulator: RunningEmulator,
  first: string[],
  say: (t: string) => void,
): Promise<void> {
  const ids = joiners(spec, first);
  const seats = await Promise.all(
    ids.map(async (id) =>
      (await store.getAll(spec.webinarId, id)).map(
        (c) => [c.meeting.MeetingId ?? '', c.attendee.AttendeeId ?? ''] as const,
      ),
    ),
  );
  for (const held of seats)
    for (const [meetingId, attendeeId] of held) emulator.connect(meetingId, attendeeId);
  const dropping = seats[seats.length - 1]?.[0];
  if (dropping) {
    emulator.drop(...dropping);
    emulator.connect(...dropping);
  }
  const leaving = seats[seats.length - 2]?.[0];
  if (leaving) emulator.disconnect(...leaving);
  const expected = { connected: ids.length - 1, joined: ids.length, dropped: 1 };
  const deadline = Date.now() + 15_000;
  let counts = (await webinars.status(spec.webinarId)).attendance;
  while (Date.now() < deadline && JSON.stringify(counts) !== JSON.stringify(expected)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    counts = (await webinars.status(spec.webinarId)).attendance;
  }
  say(
    `        attendance (published status): connected ${counts.connected}, joined ${counts.joined}, dropped ${counts.dropped}`,
  );
}

/** The attendance lines of the summary: the result's totals and the store's records of those who came. */
export async function attendanceLines(
  spec: WebinarSpec,
  totals: AttendanceTotals,
  store: CredentialStore,
): Promise<string[]> {
  const came: AttendanceRecord[] = (await store.readAttendance(spec.webinarId)).filter((r) => r.joins > 0);
  const lines = [
    '',
    `Attendance: ${totals.joined} of ${totals.invited} joined, ${totals.dropped} dropped connection(s), ` +
      `${totals.connectedSeconds} s connected in all; ${totals.stored} records stored ` +
      `(${totals.events.applied} events applied, ${totals.events.duplicate} duplicates dropped)`,
  ];
  const width = Math.max(...came.map((r) => r.externalUserId.length), 'attendee'.length);
  const time = (t: string | null) => (t ?? '-').padEnd(24);
  lines.push(
    `  ${'attendee'.padEnd(width)}  ${time('first join')}  ${time('last leave')}  seconds  joins  drops`,
  );
  for (const r of came) {
    lines.push(
      `  ${r.externalUserId.padEnd(width)}  ${time(r.firstJoinAt)}  ${time(r.lastLeaveAt)}  ` +
        `${String(r.connectedSeconds).padStart(7)}  ${String(r.joins).padStart(5)}  ${String(r.drops).padStart(5)}`,
    );
  }
  return lines;
}
