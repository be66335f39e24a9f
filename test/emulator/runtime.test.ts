import {
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  GetMeetingCommand,
  NotFoundException,
  ServiceFailureException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import { startEmulator, type RunningEmulator } from '../../emulator';
import {
  authHeader,
  clientFor,
  createMeeting,
  rejection,
  startTestEmulator,
  useTestEmulator,
} from './helpers';

const MINUTE = 60_000;
const GHOST = '11111111-1111-1111-1111-111111111111';

describe('auto-end on the emulated clock', () => {
  const testEmulator = useTestEmulator();
  let emu: RunningEmulator;
  let client: ChimeSDKMeetingsClient;
  beforeEach(() => ({ emu, client } = testEmulator()));

  it('a primary nobody joined ends after 5 idle minutes, taking its replica; calls then get NotFound', async () => {
    const primary = await createMeeting(client);
    const replica = await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    emu.advanceClock(4 * MINUTE + 59_000);
    await client.send(new GetMeetingCommand({ MeetingId: primary.MeetingId }));
    emu.advanceClock(1_000);
    for (const m of [primary, replica]) {
      expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
        NotFoundException,
      );
    }
    expect(emu.state()).toMatchObject({ meetings: [], totals: { meetingsEnded: 2 } });
  });

  it('a connected attendee keeps a primary alive; 5 minutes after the last one leaves it ends', async () => {
    const m = await createMeeting(client);
    const a = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'host' }),
    );
    emu.connect(m.MeetingId!, a.Attendee!.AttendeeId!);
    emu.advanceClock(60 * MINUTE);
    await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    expect(emu.state().meetings[0]?.connected).toBe(1);
    emu.disconnect(m.MeetingId!, a.Attendee!.AttendeeId!);
    emu.advanceClock(4 * MINUTE);
    await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    emu.advanceClock(MINUTE);
    expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
      NotFoundException,
    );
  });

  it('any meeting ends after 24 hours even with a connected attendee', async () => {
    const m = await createMeeting(client);
    const a = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'host' }),
    );
    emu.connect(m.MeetingId!, a.Attendee!.AttendeeId!);
    emu.advanceClock(24 * 60 * MINUTE - 1_000);
    await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    emu.advanceClock(1_000);
    expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
      NotFoundException,
    );
  });

  it('the admin HTTP API advances the clock and connects attendees', async () => {
    const m = await createMeeting(client);
    const a = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'host' }),
    );
    const connect = await fetch(
      `${emu.endpoint}/_emulator/meetings/${m.MeetingId}/attendees/${a.Attendee!.AttendeeId}/connect`,
      { method: 'POST' },
    );
    expect(connect.status).toBe(200);
    const before = Date.parse(emu.state().now);
    const adv = await fetch(`${emu.endpoint}/_emulator/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ ms: 10 * MINUTE }),
    });
    expect(adv.status).toBe(200);
    const { now } = (await adv.json()) as { now: string };
    expect(Date.parse(now) - before).toBeGreaterThanOrEqual(10 * MINUTE);
    await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    const disconnect = await fetch(
      `${emu.endpoint}/_emulator/meetings/${m.MeetingId}/attendees/${a.Attendee!.AttendeeId}/disconnect`,
      { method: 'POST' },
    );
    expect(disconnect.status).toBe(200);
    await fetch(`${emu.endpoint}/_emulator/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ ms: 5 * MINUTE }),
    });
    const state = (await (await fetch(`${emu.endpoint}/_emulator/state`)).json()) as { meetings: unknown[] };
    expect(state.meetings).toEqual([]);
    const gone = await fetch(`${emu.endpoint}/_emulator/meetings/${m.MeetingId}/attendees/${GHOST}/connect`, {
      method: 'POST',
    });
    expect(gone.status).toBe(404);
  });

  it('clock.speed makes emulated time run faster than real time', async () => {
    emu.configure({ clock: { speed: 100_000 } });
    try {
      const m = await createMeeting(client);
      await new Promise((resolve) => setTimeout(resolve, 20)); // 20 ms real = 2000 s emulated > 5 min
      expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
        NotFoundException,
      );
    } finally {
      emu.configure({ clock: { speed: 1 } });
    }
  });
});

describe('rate limits (real time token buckets)', () => {
  let emu: RunningEmulator;
  afterEach(async () => emu.close());

  it('a burst of 20 passes, the 21st call answers 429 ThrottlingException, other operations share the account bucket', async () => {
    emu = await startEmulator({
      config: {
        rateLimits: {
          perOperation: { ratePerSecond: 0.01, burst: 20 },
          account: { ratePerSecond: 0.01, burst: 25 },
        },
      },
    });
    const client = clientFor(emu);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 21 }, () => client.send(new GetMeetingCommand({ MeetingId: GHOST }))),
      );
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined));
      expect(reasons.filter((e) => e instanceof NotFoundException)).toHaveLength(20);
      const throttled = reasons.filter((e) => e instanceof ThrottlingException);
      expect(throttled).toHaveLength(1);
      expect(throttled[0]?.name).toBe('ThrottlingException');
      // 21 tokens of the account bucket are gone (20 passed + the refused call took none): 5 remain for other ops.
      for (let i = 0; i < 5; i++) await createMeeting(client);
      expect(await rejection(createMeeting(client))).toBeInstanceOf(ThrottlingException);
      expect(emu.state().operations.GetMeeting).toEqual({
        calls: 21,
        succeeded: 0,
        throttled: 1,
        failed: 20,
      });
      expect(emu.state().totals.throttled).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('control Regions have independent buckets; per-operation overrides apply; limits can be switched off', async () => {
    emu = await startEmulator({
      config: {
        rateLimits: {
          perOperation: { ratePerSecond: 0.01, burst: 2 },
          operations: { GetMeeting: { ratePerSecond: 0.01, burst: 1 } },
        },
      },
    });
    const east = clientFor(emu, 'us-east-1');
    const west = clientFor(emu, 'us-west-2');
    try {
      await rejection(east.send(new GetMeetingCommand({ MeetingId: GHOST })));
      expect(await rejection(east.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
        ThrottlingException,
      );
      expect(await rejection(west.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
        NotFoundException,
      );
      await createMeeting(east);
      await createMeeting(east);
      expect(await rejection(createMeeting(east))).toBeInstanceOf(ThrottlingException);
      emu.configure({ rateLimits: { enabled: false } });
      for (let i = 0; i < 30; i++) {
        expect(await rejection(east.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
          NotFoundException,
        );
      }
    } finally {
      east.destroy();
      west.destroy();
    }
  });

  it('tokens refill with real time', async () => {
    // One token per 500 ms: the second call is refused unless the two calls are 500 ms apart; the third, after a
    // 600 ms wait, passes. (The refill arithmetic itself is proven on an injected clock in clock.test.ts.)
    emu = await startEmulator({ config: { rateLimits: { perOperation: { ratePerSecond: 2, burst: 1 } } } });
    const client = clientFor(emu);
    try {
      await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })));
      expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
        ThrottlingException,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
        NotFoundException,
      );
    } finally {
      client.destroy();
    }
  });
});

describe('fault injection', () => {
  async function outcomes(seed: number): Promise<string[]> {
    const emu = await startTestEmulator({
      faults: { seed, operations: { '*': { serviceFailureRate: 0.3, serviceUnavailableRate: 0.3 } } },
    });
    const client = clientFor(emu);
    try {
      const out: string[] = [];
      for (let i = 0; i < 40; i++) {
        const err = await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })));
        out.push(err.name);
      }
      return out;
    } finally {
      client.destroy();
      await emu.close();
    }
  }

  it('the same seed gives the same sequence of faults; another seed gives another one', async () => {
    const a = await outcomes(42);
    const b = await outcomes(42);
    const c = await outcomes(7);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a)).toEqual(
      new Set([ServiceFailureException.name, ServiceUnavailableException.name, NotFoundException.name]),
    );
  });

  it('per-operation settings override *, and latencyMs delays the answer', async () => {
    const emu = await startTestEmulator({
      faults: {
        operations: { '*': { serviceFailureRate: 1 }, GetMeeting: { serviceFailureRate: 0, latencyMs: 60 } },
      },
    });
    const client = clientFor(emu);
    try {
      const started = Date.now();
      expect(await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })))).toBeInstanceOf(
        NotFoundException,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      expect(await rejection(createMeeting(client))).toBeInstanceOf(ServiceFailureException);
      expect(emu.state().totals.meetingsCreated).toBe(0);
    } finally {
      client.destroy();
      await emu.close();
    }
  });
});

describe('admin API', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => emu.close());

  it('GET /_emulator/state reports meetings, per-operation counters and totals', async () => {
    const client = clientFor(emu);
    try {
      const m = await createMeeting(client, { MediaRegion: 'eu-west-2', ExternalMeetingId: 'state-check' });
      await createMeeting(client, { PrimaryMeetingId: m.MeetingId });
      await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })));
      const state = (await (await fetch(`${emu.endpoint}/_emulator/state`)).json()) as ReturnType<
        RunningEmulator['state']
      >;
      expect(state.meetings[0]).toEqual({
        meetingId: m.MeetingId,
        controlRegion: 'us-east-1',
        mediaRegion: 'eu-west-2',
        externalMeetingId: 'state-check',
        role: 'primary',
        attendees: 0,
        connected: 0,
        transcription: 'OFF',
        createdAt: expect.any(String) as unknown,
      });
      expect(state.meetings[1]).toMatchObject({ role: 'replica', primaryMeetingId: m.MeetingId });
      expect(state.operations.CreateMeeting).toEqual({ calls: 2, succeeded: 2, throttled: 0, failed: 0 });
      expect(state.operations.GetMeeting).toEqual({ calls: 1, succeeded: 0, throttled: 0, failed: 1 });
      expect(Object.keys(state.operations)).toHaveLength(16);
      expect(state.totals).toEqual({
        calls: 3,
        throttled: 0,
        failed: 1,
        meetingsCreated: 2,
        attendeesCreated: 0,
        meetingsEnded: 0,
      });
      expect({ ...state, now: undefined }).toEqual({ ...emu.state(), now: undefined });
    } finally {
      client.destroy();
    }
  });

  it('GET /_emulator/counters answers the counters and totals of /state, without the meetings', async () => {
    const client = clientFor(emu);
    try {
      await createMeeting(client, { ExternalMeetingId: 'counters-check' });
      const counters = (await (await fetch(`${emu.endpoint}/_emulator/counters`)).json()) as ReturnType<
        RunningEmulator['counters']
      >;
      const state = emu.state();
      expect(counters).toEqual({
        operations: state.operations,
        totals: state.totals,
        events: state.events,
        queues: state.queues,
        sqs: state.sqs,
      });
      expect(counters).not.toHaveProperty('meetings');
      expect(counters.totals.meetingsCreated).toBe(state.meetings.length);
      expect(emu.counters()).toEqual(counters);
    } finally {
      client.destroy();
    }
  });

  it('PUT /_emulator/config deep-merges and returns the full config; invalid config is a 400 and changes nothing', async () => {
    const res = await fetch(`${emu.endpoint}/_emulator/config`, {
      method: 'PUT',
      body: JSON.stringify({
        limits: { replicasPerPrimary: 10 },
        faults: { operations: { '*': { latencyMs: 0 } } },
      }),
    });
    expect(res.status).toBe(200);
    const config = (await res.json()) as ReturnType<RunningEmulator['configure']>;
    expect(config.limits).toEqual({
      attendeesPerMeeting: 250,
      replicasPerPrimary: 10,
      concurrentMeetings: 250,
    });
    expect(config.autoEnd).toEqual({ idleMinutes: 5, maxHours: 24 });
    expect(config.rateLimits.perOperation).toEqual({ ratePerSecond: 10, burst: 20 });
    const bad = await fetch(`${emu.endpoint}/_emulator/config`, {
      method: 'PUT',
      body: JSON.stringify({ limits: { replicasPerPrimary: 41 } }),
    });
    expect(bad.status).toBe(400);
    const get = (await (await fetch(`${emu.endpoint}/_emulator/config`)).json()) as typeof config;
    expect(get.limits.replicasPerPrimary).toBe(10);
  });

  it('POST /_emulator/reset clears meetings and counters but keeps the config', async () => {
    const client = clientFor(emu, 'ap-southeast-1');
    try {
      await createMeeting(client);
    } finally {
      client.destroy();
    }
    const res = await fetch(`${emu.endpoint}/_emulator/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    const state = emu.state();
    expect(state.meetings).toEqual([]);
    expect(state.totals).toEqual({
      calls: 0,
      throttled: 0,
      failed: 0,
      meetingsCreated: 0,
      attendeesCreated: 0,
      meetingsEnded: 0,
    });
    expect(emu.configure({}).limits.replicasPerPrimary).toBe(10);
  });

  it('admin routes need no Authorization while API routes do', async () => {
    const state = await fetch(`${emu.endpoint}/_emulator/state`);
    expect(state.status).toBe(200);
    const api = await fetch(`${emu.endpoint}/meetings/${GHOST}`);
    expect(api.status).toBe(403);
    const signed = await fetch(`${emu.endpoint}/meetings/${GHOST}`, {
      headers: { authorization: authHeader() },
    });
    expect(signed.status).toBe(404);
  });
});
