/**
 * A webinar whose registration passes the server's continue-as-new suggestion continues as new at the end of
 * provisioning, before READY (workflows/continuation.ts): the first run never says READY, the second run does,
 * with every attendee registered, no meeting created twice and no meeting check right after the hand-over
 * (the check's time is carried). Operators who wait for READY, as every client does, never meet the hand-over.
 * Dev server, suggesting continue-as-new after 30 events (fewer than the provisioning of 601 attendees records).
 */
import type { temporal } from '@temporalio/proto';
import { operatorUpdates, statusQuery } from '../../workflows/definitions';
import {
  soonWebinarSpec,
  useWebinarStack,
  waitForPublishedStatus,
  waitForStatus,
} from '../support/webinar-stack';

const stack = useWebinarStack({
  server: 'dev',
  devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 30 } },
});

type Event = temporal.api.history.v1.IHistoryEvent;

function phasesPublished(events: Event[]): string[] {
  return events.flatMap((e) => {
    const field =
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.WebinarPhase;
    return field?.data ? [JSON.parse(Buffer.from(field.data).toString('utf8')) as string] : [];
  });
}

function activities(events: Event[]): string[] {
  return events.flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

it('continues as new before READY when provisioning made the history long; the new run says READY', async () => {
  const viewers = Array.from({ length: 600 }, (_, i) => ({
    externalUserId: `viewer-${i}`,
    role: 'viewer' as const,
    region: i % 2 ? 'eu-west-1' : undefined,
  }));
  const spec = soonWebinarSpec({ attendees: [{ externalUserId: 'host-1', role: 'host' }, ...viewers] });
  const handle = await stack().start(spec);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE', 30_000);
  expect(ready.attendees).toMatchObject({ requested: 601, registered: 601, failed: 0 });
  // The first run answers READY in its last moments (the next run publishes it): wait until a run recorded it.
  await waitForPublishedStatus(handle, (memo) => memo.phase === 'READY' || memo.phase === 'LIVE');

  const firstRun =
    (
      await stack()
        .env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory()
    ).events ?? [];
  expect(phasesPublished(firstRun)).toEqual(['SCHEDULED', 'PROVISIONING']);
  expect(firstRun.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

  // The run the first one handed over to (the server's suggestion, after 30 events, may have moved on since).
  const secondRunId = firstRun.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  expect(secondRunId).toBeTruthy();
  const secondRun =
    (
      await stack()
        .env.client.workflow.getHandle(handle.workflowId, secondRunId ?? '')
        .fetchHistory()
    ).events ?? [];
  expect(phasesPublished(secondRun)[0]).toBe('READY');
  // The meetings were created moments ago: the new run does not check them at once, nor create any.
  expect(activities(secondRun)).not.toContain('getMeeting');
  expect(activities(secondRun)).not.toContain('createMeeting');
  expect(activities(secondRun)).not.toContain('batchCreateAttendee');

  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-1' }] });
  expect((await handle.query(statusQuery)).speakers).toContain('viewer-1');
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'done' }] });
  expect(await handle.result()).toMatchObject({ phase: 'ENDED', attendees: { registered: 601 } });
  expect(stack().liveMeetings()).toBe(0);
  expect(stack().emulator.state().totals.meetingsCreated).toBe(1 + ready.replicas.length);
});
