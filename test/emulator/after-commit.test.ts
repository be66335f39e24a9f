/**
 * Faults after the effect: the call is applied, then its answer is replaced by a 500, lost (connection held,
 * then closed) or reset. A retry must find the effect already there; the emulator's creation totals tell
 * whether anything was created twice.
 */
import {
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
  ServiceFailureException,
} from '@aws-sdk/client-chime-sdk-meetings';
import { awsErrorName, classify } from '../../activities/errors';
import type { RunningEmulator } from '../../emulator';
import { createMeeting, CREDENTIALS, rejection, sharedEmulator } from './helpers';

const GHOST = '11111111-1111-1111-1111-111111111111';

const shared = sharedEmulator();
beforeEach(() => {
  shared.emu.configure({ faults: { operations: null } });
  shared.emu.configure({ faults: { operations: {} } });
});

it('a 500 after commit: the meeting exists, and the retry with the same token returns it without creating another', async () => {
  shared.emu.configure({ faults: { operations: { CreateMeeting: { failureAfterCommitRate: 1 } } } });
  const err = await rejection(
    createMeeting(shared.client, { ClientRequestToken: 'after-500', ExternalMeetingId: 'a500' }),
  );
  expect(err).toBeInstanceOf(ServiceFailureException);
  expect(err.message).toBe('Injected service failure after the call took effect');
  expect(shared.emu.state().meetings).toHaveLength(1);
  shared.emu.configure({ faults: { operations: { CreateMeeting: null } } });
  const again = await createMeeting(shared.client, {
    ClientRequestToken: 'after-500',
    ExternalMeetingId: 'a500',
  });
  const state = shared.emu.state();
  expect(state.meetings.map((m) => m.meetingId)).toEqual([again.MeetingId]);
  expect(state.faults.afterCommit).toEqual({ lostResponse: 0, failure: 1, connectionReset: 0 });
  expect(state.creations.meetings).toEqual({ created: 1, tokens: 1, duplicates: [] });
  expect(state.operations.CreateMeeting).toEqual({ calls: 2, succeeded: 1, throttled: 0, failed: 1 });
});

it('a connection reset after commit: the SDK sees ECONNRESET, the attendee exists, the retry returns it', async () => {
  const m = await createMeeting(shared.client);
  shared.emu.configure({ faults: { operations: { CreateAttendee: { resetAfterCommitRate: 1 } } } });
  const err = await rejection(
    shared.client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'u1' })),
  );
  // What the worker sees (activities/errors.ts): a transient network error, so Temporal retries.
  expect(awsErrorName(err)).toBe('ECONNRESET');
  expect(err.message).toMatch(/read ECONNRESET$/);
  expect(shared.emu.state().meetings[0]?.attendees).toBe(1);
  shared.emu.configure({ faults: { operations: { CreateAttendee: null } } });
  const again = await shared.client.send(
    new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'u1' }),
  );
  expect(again.Attendee?.ExternalUserId).toBe('u1');
  const state = shared.emu.state();
  expect(state.faults.afterCommit.connectionReset).toBe(1);
  expect(state.creations.attendees).toEqual({ created: 1, externalUserIds: 1, duplicates: [] });
});

it('a lost response held past the shared.client timeout: the SDK sees a TimeoutError, the batch was created', async () => {
  const m = await createMeeting(shared.client);
  shared.emu.configure({
    faults: { operations: { BatchCreateAttendee: { lostResponseRate: 1, lostResponseHoldMs: 5_000 } } },
  });
  const impatient = new ChimeSDKMeetingsClient({
    region: 'us-east-1',
    endpoint: shared.emu.endpoint,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
  });
  try {
    const err = await rejection(
      impatient.send(
        new BatchCreateAttendeeCommand({
          MeetingId: m.MeetingId,
          Attendees: [{ ExternalUserId: 'b1' }, { ExternalUserId: 'b2' }],
        }),
      ),
    );
    expect(err.name).toBe('TimeoutError');
    expect(awsErrorName(err)).toBe('ETIMEDOUT');
  } finally {
    impatient.destroy();
  }
  expect(shared.emu.state().meetings[0]?.attendees).toBe(2);
  expect(shared.emu.state().faults.afterCommit.lostResponse).toBe(1);
});

it('a lost response held shorter than the shared.client timeout: the connection closes unanswered (socket hang up)', async () => {
  const m = await createMeeting(shared.client);
  shared.emu.configure({
    faults: { operations: { DeleteMeeting: { lostResponseRate: 1, lostResponseHoldMs: 50 } } },
  });
  const err = await rejection(shared.client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId })));
  expect(err.message).toMatch(/socket hang up$/);
  expect(classify(err, 'deleteMeeting').retryable).toBe(true);
  expect(shared.emu.state().meetings).toEqual([]);
});

it('after-commit faults spoil only calls that took effect: an error answer goes out as it is', async () => {
  shared.emu.configure({ faults: { operations: { GetMeeting: { failureAfterCommitRate: 1 } } } });
  const err = await rejection(shared.client.send(new GetMeetingCommand({ MeetingId: GHOST })));
  expect(err.name).toBe('NotFoundException');
  expect(shared.emu.state().faults.afterCommit).toEqual({ lostResponse: 0, failure: 0, connectionReset: 0 });
});

it('one draw per call splits the rates: before-commit and after-commit faults in their proportions', async () => {
  shared.emu.configure({
    faults: {
      seed: 3,
      operations: {
        GetMeeting: {
          serviceFailureRate: 0.2,
          serviceUnavailableRate: 0.2,
          failureAfterCommitRate: 0.2,
          resetAfterCommitRate: 0.2,
          lostResponseRate: 0.2,
          lostResponseHoldMs: 0,
        },
      },
    },
  });
  const m = await createMeeting(shared.client);
  for (let i = 0; i < 100; i++)
    await rejection(shared.client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }))).catch(
      () => undefined,
    );
  const { faults } = shared.emu.state();
  const counts = [
    faults.beforeCommit.serviceFailure,
    faults.beforeCommit.serviceUnavailable,
    faults.afterCommit.failure,
    faults.afterCommit.connectionReset,
    faults.afterCommit.lostResponse,
  ];
  expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
  for (const n of counts) expect(n).toBeGreaterThan(5);
});

describe('creation totals remember what the live state forgets', () => {
  it('a token that creates a second meeting after the first ended is listed as a duplicate', async () => {
    const first = await createMeeting(shared.client, {
      ClientRequestToken: 'reused-token',
      ExternalMeetingId: 'r1',
    });
    await shared.client.send(new DeleteMeetingCommand({ MeetingId: first.MeetingId }));
    await createMeeting(shared.client, { ClientRequestToken: 'reused-token', ExternalMeetingId: 'r1' });
    expect(shared.emu.state().creations.meetings).toEqual({
      created: 2,
      tokens: 1,
      duplicates: [{ controlRegion: 'us-east-1', clientRequestToken: 'reused-token', meetings: 2 }],
    });
  });

  it('an ExternalUserId created again in the same meeting after a delete is listed as a duplicate', async () => {
    const m = await createMeeting(shared.client);
    const a = await shared.client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'again' }),
    );
    await shared.client.send(
      new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.Attendee?.AttendeeId }),
    );
    await shared.client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'again' }));
    await shared.client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'once' }));
    expect(shared.emu.state().creations.attendees).toEqual({
      created: 3,
      externalUserIds: 2,
      duplicates: [{ meetingId: m.MeetingId, externalUserId: 'again', attendees: 2 }],
    });
  });

  it('the same ExternalUserId in two meetings is not a duplicate', async () => {
    for (let i = 0; i < 2; i++) {
      const m = await createMeeting(shared.client);
      await shared.client.send(
        new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'everywhere' }),
      );
    }
    expect(shared.emu.state().creations.attendees).toEqual({
      created: 2,
      externalUserIds: 2,
      duplicates: [],
    });
  });

  it('GET /_emulator/state carries the fault and creation totals', async () => {
    await createMeeting(shared.client);
    const state = (await (await fetch(`${shared.emu.endpoint}/_emulator/state`)).json()) as ReturnType<
      RunningEmulator['state']
    >;
    expect(state.creations.meetings).toEqual({ created: 1, tokens: 1, duplicates: [] });
    expect(state.faults).toEqual({
      beforeCommit: { serviceFailure: 0, serviceUnavailable: 0 },
      afterCommit: { lostResponse: 0, failure: 0, connectionReset: 0 },
    });
  });
});
