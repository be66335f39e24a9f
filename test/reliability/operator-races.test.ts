/**
 * Operator actions that race on one attendee. Every action that calls Chime runs its state check and its body
 * under the webinar's one lock, so two actions in flight at once act one after the other on what the first
 * left. Without the lock, a removal that runs while the same attendee's promotion is creating their presenter
 * seat would miss that seat: a removed person would keep live credentials in the primary meeting.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { attendeeQuery, operatorUpdates } from '../../workflows/definitions';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'time-skipping' });
});

afterAll(async () => {
  await stack?.shutdown();
});

const viewers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ externalUserId: `v-${i}`, role: 'viewer' as const }));

it('an attendee removed while their promotion is in flight keeps no seat in any meeting', async () => {
  const now = await stack.env.currentTimeMs();
  // 300 viewers: the primary holds 240 (10 seats of headroom for promotions), one replica the other 60.
  const handle = await stack.start(webinarSpec(now, { replicaRegions: [], attendees: viewers(300) }));
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === 300);
  const primaryId = ready.primary?.meetingId ?? '';
  const replicaId = ready.replicas[0]?.meetingId ?? '';
  const inReplica = 'v-299';
  expect((await handle.query(attendeeQuery, { externalUserId: inReplica })).meetingId).toBe(replicaId);
  const seats = () => new Map(stack.emulator.state().meetings.map((m) => [m.meetingId, m.attendees]));
  expect(seats()).toEqual(
    new Map([
      [primaryId, 240],
      [replicaId, 60],
    ]),
  );

  // The promotion creates the viewer's presenter seat in the primary, slowly (5 s: a loaded machine still
  // sends the removal well inside it); the removal arrives meanwhile.
  stack.emulator.configure({ faults: { operations: { CreateAttendee: { latencyMs: 5_000 } } } });
  try {
    const promotion = await handle.startUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: inReplica }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const removed = await handle.executeUpdate(operatorUpdates.removeAttendee, {
      args: [{ externalUserId: inReplica }],
    });
    expect(removed.ok).toBe(true);
    expect((await promotion.result()).ok).toBe(true);
  } finally {
    stack.emulator.configure({ faults: { operations: { CreateAttendee: { latencyMs: 0 } } } });
  }

  // The removal ran after the promotion and deleted both of the viewer's attendees: the presenter seat too.
  expect(seats()).toEqual(
    new Map([
      [primaryId, 240],
      [replicaId, 59],
    ]),
  );
  await expect(handle.query(attendeeQuery, { externalUserId: inReplica })).rejects.toThrow(/No attendee/);
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();
  expect(stack.liveMeetings()).toBe(0);
});
