/**
 * Benchmark 2: the two ways people provision without this project, against the same emulator with the same
 * realistic limits (reset between runs), compared with the workflow at the same roster size:
 *   - one-at-a-time: meetings one by one, then one CreateAttendee per attendee, awaited in turn (AWS's demos);
 *   - all-at-once: every CreateMeeting at once, then every BatchCreateAttendee at once.
 * Both use the SDK client as people write it: `new ChimeSDKMeetingsClient({ region, endpoint, credentials })`,
 * default retries (standard mode, maxAttempts 3). A call that still fails is caught and its attendees counted
 * as lost (a demo would crash instead).
 */
import {
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { parseChimeBudgets } from '../worker/budget/config';
import { startEmulator, deepMerge, type RunningEmulator } from '../emulator';
import { provisionOnce, type ProvisioningRun } from './provisioning';
import { startBenchStack } from './support/stack';
import { CONTROL_REGION } from './support/webinars';
import { emulatorCalls, realisticEmulatorConfig } from './support/emulator';
import { BATCH, SEATS, floorSeconds } from './support/calls';
import { pct, round } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';

export interface DiyRun {
  approach: 'one-at-a-time' | 'all-at-once';
  attendees: number;
  seconds: number;
  meetingsCreated: number;
  /** Attendees the emulator holds at the end. */
  attendeesInEmulator: number;
  lost: number;
  callErrors: number;
  emulator: ReturnType<typeof emulatorCalls>;
}

function client(emulator: RunningEmulator): ChimeSDKMeetingsClient {
  return new ChimeSDKMeetingsClient({
    region: CONTROL_REGION,
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  });
}

function meetingCount(attendees: number): number {
  return Math.ceil(attendees / SEATS);
}

function held(emulator: RunningEmulator): number {
  return emulator.state().meetings.reduce((sum, m) => sum + m.attendees, 0);
}

async function oneAtATime(emulator: RunningEmulator, attendees: number): Promise<DiyRun> {
  emulator.reset();
  const chime = client(emulator);
  let errors = 0;
  let lost = 0;
  const t0 = performance.now();
  const meetings: string[] = [];
  for (let m = 0; m < meetingCount(attendees); m++) {
    try {
      const out = await chime.send(
        new CreateMeetingCommand({
          ClientRequestToken: `diy1-${m}`,
          MediaRegion: 'us-east-1',
          ExternalMeetingId: `diy1-${m}`,
          PrimaryMeetingId: meetings[0],
        }),
      );
      if (out.Meeting?.MeetingId) meetings.push(out.Meeting.MeetingId);
    } catch {
      errors++;
    }
  }
  for (let i = 0; i < attendees; i++) {
    const meetingId = meetings[Math.floor(i / SEATS)];
    if (!meetingId) {
      lost++;
      continue;
    }
    try {
      await chime.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: `diy1-user-${i}` }));
    } catch {
      errors++;
      lost++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  chime.destroy();
  return {
    approach: 'one-at-a-time',
    attendees,
    seconds: round(seconds),
    meetingsCreated: meetings.length,
    attendeesInEmulator: held(emulator),
    lost,
    callErrors: errors,
    emulator: emulatorCalls(emulator.counters()),
  };
}

async function allAtOnce(emulator: RunningEmulator, attendees: number): Promise<DiyRun> {
  emulator.reset();
  const chime = client(emulator);
  let errors = 0;
  let lost = 0;
  const t0 = performance.now();
  const create = (m: number, primary?: string) =>
    chime.send(
      new CreateMeetingCommand({
        ClientRequestToken: `diy2-${m}`,
        MediaRegion: 'us-east-1',
        ExternalMeetingId: `diy2-${m}`,
        PrimaryMeetingId: primary,
      }),
    );
  const count = meetingCount(attendees);
  const meetings: (string | undefined)[] = [];
  try {
    meetings.push((await create(0)).Meeting?.MeetingId);
  } catch {
    errors++;
  }
  const replicas = await Promise.allSettled(
    Array.from({ length: count - 1 }, (_, i) => create(i + 1, meetings[0])),
  );
  for (const r of replicas) {
    if (r.status === 'fulfilled') meetings.push(r.value.Meeting?.MeetingId);
    else {
      errors++;
      meetings.push(undefined);
    }
  }
  const batches: { meetingId: string | undefined; users: string[] }[] = [];
  for (let m = 0; m < count; m++) {
    const seats = Math.min(SEATS, attendees - m * SEATS);
    for (let b = 0; b < seats; b += BATCH) {
      const users = Array.from(
        { length: Math.min(BATCH, seats - b) },
        (_, i) => `diy2-user-${m * SEATS + b + i}`,
      );
      batches.push({ meetingId: meetings[m], users });
    }
  }
  const results = await Promise.allSettled(
    batches.map(async (b) => {
      if (!b.meetingId) throw new Error('no meeting');
      const out = await chime.send(
        new BatchCreateAttendeeCommand({
          MeetingId: b.meetingId,
          Attendees: b.users.map((u) => ({ ExternalUserId: u })),
        }),
      );
      return out.Errors?.length ?? 0;
    }),
  );
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') lost += r.value;
    else {
      errors++;
      lost += batches[i]?.users.length ?? 0;
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  chime.destroy();
  return {
    approach: 'all-at-once',
    attendees,
    seconds: round(seconds),
    meetingsCreated: meetings.filter(Boolean).length,
    attendeesInEmulator: held(emulator),
    lost,
    callErrors: errors,
    emulator: emulatorCalls(emulator.counters()),
  };
}

export async function benchDiy(
  quick: boolean,
  provisioning: { runs?: ProvisioningRun[] } | undefined,
): Promise<BenchOutcome> {
  const capOneAtATime = quick ? 250 : 1_000;
  // The workflow's run at 10,250 (provisionOnce) keeps no promotion reserve: it measures pure provisioning.
  const full = 10_250;
  const sizes = [capOneAtATime, full];
  const emulator = await startEmulator({ port: 0, config: deepMerge(realisticEmulatorConfig(), {}) });
  const runs: DiyRun[] = [];
  try {
    log(`diy: one-at-a-time, ${capOneAtATime} attendees`);
    runs.push(await oneAtATime(emulator, capOneAtATime));
    for (const n of sizes) {
      log(`diy: all-at-once, ${n} attendees`);
      runs.push(await allAtOnce(emulator, n));
    }
  } finally {
    await emulator.close();
  }
  // The workflow at the same sizes: from benchmark 1 when it ran in this process, else measured here.
  const workflow: ProvisioningRun[] = [];
  const missing = sizes.filter(
    (n) => !provisioning?.runs?.some((r) => r.attendees === n && r.partitions === undefined),
  );
  for (const n of sizes) {
    const known = provisioning?.runs?.find((r) => r.attendees === n && r.partitions === undefined);
    if (known) workflow.push(known);
  }
  if (missing.length > 0) {
    const stack = await startBenchStack({ budgets: parseChimeBudgets({}) });
    try {
      for (const n of missing) {
        log(`diy: workflow at ${n} attendees for comparison`);
        workflow.push(await provisionOnce(stack, n, `diy-wf-${n}-${Date.now() % 100000}`));
      }
    } finally {
      await stack.shutdown();
    }
  }
  const wfAt = (n: number) => workflow.find((r) => r.attendees === n);
  const rows = [
    ...runs.map((r) => {
      const wf = wfAt(r.attendees);
      return {
        approach: r.approach,
        attendees: r.attendees,
        seconds: r.seconds,
        'throttled %': r.emulator.throttledPct,
        calls: r.emulator.calls,
        'in emulator': r.attendeesInEmulator,
        lost: r.attendees - r.attendeesInEmulator,
        'complete?': r.attendeesInEmulator === r.attendees ? 'yes' : 'NO',
        'time / workflow': wf ? round(r.seconds / wf.historySeconds, 2) : 'n/a',
      };
    }),
    ...workflow.map((w) => ({
      approach: `workflow (queue ${w.queuePerSecond}/s)`,
      attendees: w.attendees,
      seconds: w.historySeconds,
      'throttled %': w.emulator.throttledPct,
      calls: w.emulator.calls,
      'in emulator': w.emulator.attendeesCreated,
      lost: w.attendees - w.registered,
      'complete?': w.registered === w.attendees ? 'yes' : 'NO',
      'time / workflow': 1,
    })),
  ];
  console.table(rows);
  const goals: Goal[] = [];
  for (const r of runs) {
    const wf = wfAt(r.attendees);
    goals.push({
      benchmark: '2 diy',
      metric: `${r.approach} ${r.attendees} vs workflow at ${r.attendees}: time ratio, throttled, lost`,
      goal: 'reported (workflow: none lost)',
      measured:
        `${r.seconds}s, ${r.emulator.throttledPct} % throttled, ${r.attendees - r.attendeesInEmulator} lost; ` +
        (wf
          ? `workflow ${wf.historySeconds}s, ${wf.emulator.throttledPct} %, ${wf.attendees - wf.registered} lost; ` +
            `time ratio ${round(r.seconds / wf.historySeconds, 2)}`
          : 'no workflow figure'),
      met: wf ? wf.registered === wf.attendees : 'n/a',
    });
  }
  // One-at-a-time at full size is not run (it would take ~17 minutes): its floor from the emulator's limits.
  const oneByOne = runs.find((r) => r.approach === 'one-at-a-time');
  const wfFull = wfAt(full);
  if (oneByOne && wfFull) {
    const callsFull = Math.ceil(full / SEATS) + full;
    const floorFull = floorSeconds(callsFull, realisticEmulatorConfig());
    goals.push({
      benchmark: '2 diy',
      metric: `one-at-a-time at ${full}: not run; floor of its ${callsFull} calls vs the measured workflow`,
      goal: 'reported',
      measured:
        `floor ${round(floorFull, 1)}s (measured at ${oneByOne.attendees}: ${oneByOne.seconds}s); ` +
        `workflow ${wfFull.historySeconds}s: at least ${round(floorFull / wfFull.historySeconds, 1)}× slower`,
      met: 'n/a',
    });
  }
  return {
    name: 'diy',
    goals,
    result: {
      runs,
      workflow: workflow.map((w) => ({
        attendees: w.attendees,
        seconds: w.historySeconds,
        throttledPct: w.emulator.throttledPct,
        registered: w.registered,
      })),
      throttledPctOfCalls: runs.map((r) => pct(r.emulator.throttled, r.emulator.calls)),
    },
  };
}
