/**
 * Continue-as-new on the dev server, with the server suggesting it after a few dozen events so a short test
 * crosses the boundary: the new run carries the full state (meetings, roster, speakers, generation).
 */
import { operatorUpdates, statusQuery } from '../../workflows/definitions';
import { attendeeQuery } from '../../workflows/definitions';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({
    server: 'dev',
    devServer: { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } },
  });
});

afterAll(async () => {
  await stack?.shutdown();
});

it('continues as new when the server suggests it, carrying meetings, roster and speakers, and still tears down', async () => {
  const now = Date.now();
  const spec = webinarSpec(now, {
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 600_000).toISOString(),
    provisionLeadSeconds: 2,
  });
  const handle = await stack.start(spec);
  const live = await waitForStatus(handle, (s) => s.phase === 'LIVE', 20_000);
  const before = await handle.query(attendeeQuery, { externalUserId: 'viewer-3' });

  for (let i = 0; i < 12; i++) {
    await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-3' }] });
    await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: 'viewer-3' }] });
  }
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-5' }] });

  const description = await stack.env.client.workflow.getHandle(handle.workflowId).describe();
  expect(description.runId).not.toBe(handle.firstExecutionRunId);

  const after = await handle.query(statusQuery);
  expect(after).toMatchObject({
    phase: 'LIVE',
    generation: live.generation,
    primary: live.primary,
    attendees: live.attendees,
  });
  expect(after.replicas).toEqual(live.replicas);
  expect(after.speakers.sort()).toEqual(['host-1', 'speaker-1', 'viewer-5']);
  expect(await handle.query(attendeeQuery, { externalUserId: 'viewer-3' })).toEqual(before);

  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'done' }] });
  expect(await handle.result()).toMatchObject({ phase: 'ENDED', reason: 'done' });
  expect(stack.liveMeetings()).toBe(0);
  expect(stack.emulator.state().totals.meetingsCreated).toBe(1 + live.replicas.length);
});
