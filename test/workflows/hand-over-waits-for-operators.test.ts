/**
 * A continue-as-new the server suggests while operators act waits for them to pause (workflows/continuation.ts):
 * an operator at a steady pace past the suggestion never meets a hand-over, and it goes ahead OPERATORS_PAUSE_MS
 * after the last action, carrying the speakers. Dev server, suggesting continue-as-new after 150 events.
 */
import { temporal } from '@temporalio/proto';
import { OPERATORS_PAUSE_MS } from '../../workflows/continuation';
import { operatorUpdates, statusQuery } from '../../workflows/definitions';
import { eventTimeMs } from '../support/event-time';
import { soonWebinarSpec, useWebinarStack, waitForStatus } from '../support/webinar-stack';

// An operator action records about 20 events: the hand-over cannot wait past twice the suggestion's length, so
// the steady operator below stays well short of it (at most SUGGEST_AFTER_EVENTS + 40 + one action).
const SUGGEST_AFTER_EVENTS = 150;
const stack = useWebinarStack({
  server: 'dev',
  devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS } },
});
const { EventType } = temporal.api.enums.v1;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('holds a suggested continue-as-new while operators act and continues once they pause', async () => {
  const handle = await stack().start(soonWebinarSpec());
  await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
  const live = await stack().env.client.workflow.getHandle(handle.workflowId).describe();

  // A steady operator, well past the suggestion but short of twice it (where the hand-over cannot wait).
  let actions = 0;
  let length = live.historyLength;
  while (length < SUGGEST_AFTER_EVENTS + 40) {
    const action = actions % 2 === 0 ? operatorUpdates.promoteSpeaker : operatorUpdates.demoteSpeaker;
    await handle.executeUpdate(action, { args: [{ externalUserId: 'viewer-3' }] });
    actions++;
    const now = await stack().env.client.workflow.getHandle(handle.workflowId).describe();
    expect(now.runId).toBe(live.runId);
    length = now.historyLength;
    await sleep(300);
  }
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-5' }] });
  const lastActionAt = Date.now();

  let current = live.runId;
  while (current === live.runId && Date.now() - lastActionAt < OPERATORS_PAUSE_MS + 15_000) {
    await sleep(250);
    current = (await stack().env.client.workflow.getHandle(handle.workflowId).describe()).runId;
  }
  expect(current).not.toBe(live.runId);

  // The old run's own record: the hand-over came a pause after the last action completed.
  const events = (await stack().env.client.workflow.getHandle(handle.workflowId, live.runId).fetchHistory())
    .events;
  const completed = (events ?? []).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
  );
  const continued = events?.at(-1);
  expect(continued?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  expect(completed.length).toBeGreaterThanOrEqual(actions + 1);
  const lastCompleted = completed.at(-1);
  if (!continued || !lastCompleted) throw new Error('the run has no completed Update or no continue-as-new');
  expect(eventTimeMs(continued) - eventTimeMs(lastCompleted)).toBeGreaterThanOrEqual(OPERATORS_PAUSE_MS);

  const after = await handle.query(statusQuery);
  expect(after.phase).toBe('LIVE');
  expect([...after.speakers].sort()).toEqual(
    actions % 2 === 1 ? ['host-1', 'speaker-1', 'viewer-3', 'viewer-5'] : ['host-1', 'speaker-1', 'viewer-5'],
  );
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'done' }] });
  expect(await handle.result()).toMatchObject({ phase: 'ENDED', reason: 'done' });
  expect(stack().liveMeetings()).toBe(0);
});
