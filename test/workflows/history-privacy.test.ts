/**
 * No external user ID in history without the codec (issue #17): after every operator action has been rejected
 * once (as an Update and as a Signal), and after actions whose results concern attendees, the history that the
 * workflow itself writes — Update results and failures, and the rejections continue-as-new carries — names
 * attendees by roster position only. IDs that only ever appeared in rejected requests appear nowhere but in the
 * requests themselves. Dev server (no codec), with continue-as-new suggested early so a run carries its state.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { historyText } from '../security/history-scan';
import {
  OPERATOR_ACTIONS,
  operatorSignals,
  operatorUpdates,
  type OperatorAction,
} from '../../workflows/definitions';
import type { CarriedState } from '../../workflows/state';
import { soonWebinarSpec, useWebinarStack, waitForStatus } from '../support/webinar-stack';

const stackOf = useWebinarStack({
  server: 'dev',
  devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } },
});

/** A rejected argument for every action; the ghosts are IDs of no attendee, the others real attendees. */
const rejectedArgs: Record<OperatorAction, unknown> = {
  promoteSpeaker: { externalUserId: 'ghost-promote' },
  demoteSpeaker: { externalUserId: 'ghost-demote' },
  muteAllExcept: { externalUserIds: ['host-1', 'ghost-mute'] },
  addAttendees: { attendees: [{ externalUserId: 'viewer-2', role: 'viewer' }] },
  removeAttendee: { externalUserId: 'ghost-remove' },
  reschedule: { startAt: '2001-01-01T00:00:00Z' },
  startTranscription: {},
  stopTranscription: {},
  endWebinar: { reason: 7 },
  retryTeardown: {},
};
const GHOSTS = /ghost-/;
const ANY_ATTENDEE = /host-1|speaker-1|viewer-\d|late-1|ghost-/;

type Event = temporal.api.history.v1.IHistoryEvent;

async function runs(handle: WorkflowHandle, firstRunId: string): Promise<Event[][]> {
  const stack = stackOf();
  const out: Event[][] = [];
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await stack.env.client.workflow
      .getHandle(handle.workflowId, runId)
      .fetchHistory();
    const events: Event[] = history.events ?? [];
    out.push(events);
    runId = events.find((e: Event) => e.workflowExecutionContinuedAsNewEventAttributes)
      ?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return out;
}

/** The event without what the client sent (signal and update inputs, the first run's input). */
function writtenByWorkflow(event: Event, first: boolean): unknown {
  const copy = { ...event } as Record<string, unknown>;
  delete copy.workflowExecutionSignaledEventAttributes;
  delete copy.workflowExecutionUpdateAcceptedEventAttributes;
  delete copy.workflowExecutionUpdateAdmittedEventAttributes;
  if (first) delete copy.workflowExecutionStartedEventAttributes;
  return copy;
}

function carried(event: Event): CarriedState | undefined {
  const input =
    event.workflowExecutionContinuedAsNewEventAttributes?.input ??
    event.workflowExecutionStartedEventAttributes?.input;
  const payload = input?.payloads?.[1];
  return payload ? defaultPayloadConverter.fromPayload<CarriedState>(payload) : undefined;
}

it('writes no external user ID into Update outcomes, carried rejections or anywhere for rejected requests', async () => {
  const stack = stackOf();
  const handle = await stack.start(soonWebinarSpec());
  await waitForStatus(handle, (s) => s.phase === 'LIVE', 20_000);

  for (const action of OPERATOR_ACTIONS) {
    const update = operatorUpdates[action] as unknown as Parameters<typeof handle.executeUpdate>[0];
    const err = await handle
      .executeUpdate(update, { args: [rejectedArgs[action]] } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    await handle.signal(operatorSignals[action].name, rejectedArgs[action]);
  }
  const status = await waitForStatus(handle, (s) => s.rejected.length === OPERATOR_ACTIONS.length);
  // A query (not history) shows the reason as given until continue-as-new, which carries the recorded wording.
  expect(status.rejected.find((r) => r.action === 'demoteSpeaker')?.reason).toMatch(
    /^demoteSpeaker: externalUserId (ghost-demote )?is not an attendee/,
  );

  // A check that fails under the lock is written to history: two removals of the same attendee at once.
  stack.emulator.configure({ faults: { operations: { DeleteAttendee: { latencyMs: 500 } } } });
  const removals = await Promise.allSettled(
    [0, 1].map(() =>
      handle.executeUpdate(operatorUpdates.removeAttendee, { args: [{ externalUserId: 'viewer-5' }] }),
    ),
  );
  stack.emulator.configure({ faults: { operations: { DeleteAttendee: { latencyMs: 0 } } } });
  expect(removals.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

  // Results that concern attendees, then enough events for continue-as-new.
  await handle.executeUpdate(operatorUpdates.addAttendees, {
    args: [{ attendees: [{ externalUserId: 'late-1', role: 'viewer' }] }],
  });
  for (let i = 0; i < 12; i++) {
    await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-3' }] });
    await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: 'viewer-3' }] });
  }
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'done' }] });
  await handle.result();

  const histories = await runs(handle, handle.firstExecutionRunId);
  expect(histories.length).toBeGreaterThan(1);
  let outcomes = 0;
  let carriedRejections = 0;
  let memos = 0;
  histories.forEach((events, run) => {
    for (const event of events) {
      expect(historyText(writtenByWorkflow(event, run === 0))).not.toMatch(GHOSTS);
      const completed = event.workflowExecutionUpdateCompletedEventAttributes;
      if (completed) {
        outcomes++;
        expect(historyText(completed.outcome)).not.toMatch(ANY_ATTENDEE);
      }
      // The status memo (docs/workflow.md, "The status read model") counts attendees, never names them.
      const modified = event.workflowPropertiesModifiedEventAttributes;
      if (modified) {
        memos++;
        expect(historyText(modified.upsertedMemo)).not.toMatch(ANY_ATTENDEE);
      }
      const state = carried(event);
      if (state) {
        carriedRejections += state.rejected.length;
        expect(JSON.stringify(state.rejected)).not.toMatch(ANY_ATTENDEE);
      }
    }
  });
  expect(outcomes).toBeGreaterThan(25);
  expect(memos).toBeGreaterThan(histories.length);
  expect(carriedRejections).toBeGreaterThanOrEqual(OPERATOR_ACTIONS.length);
  expect(stack.liveMeetings()).toBe(0);
});
