/** Series on a real dev server: a Schedule per series, triggered occurrences become webinars. */
import { SeriesClient } from '../../client/library/series-client';
import { WebinarClient } from '../../client/library/webinar-client';
import { WebinarInputError } from '../../client/library/errors';
import type { SeriesSpec } from '../../domain/series/types';
import { localTime } from '../../domain/series/occurrence';
import { CONTROL_REGION, useWebinarStack, waitForStatus } from '../support/webinar-stack';

const stack = useWebinarStack({ server: 'dev' });

const series = (seriesId: string, over: Partial<SeriesSpec> = {}): SeriesSpec => ({
  seriesId,
  template: { primaryRegion: CONTROL_REGION, attendees: [{ externalUserId: 'host-1', role: 'host' }] },
  durationMinutes: 30,
  provisionLeadSeconds: 5,
  recurrence: { calendars: [{ daysOfWeek: ['MONDAY'], hour: 10, minute: 0 }], timeZone: 'Europe/Berlin' },
  ...over,
});

const unique = (): string => `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

it('keeps a weekly 10:00 Europe/Berlin at 10:00 local across DST in the next action times', async () => {
  const client = new SeriesClient(stack().env.client, stack().taskQueue);
  const id = unique();
  const created = await client.create(series(id, { provisionLeadSeconds: 120 }), {
    startAt: new Date('2027-03-01T00:00:00Z'),
  });
  const times = created.nextActionTimes.map((t) => t.getTime());
  expect(times.length).toBeGreaterThan(5);
  const utcHours = new Set(created.nextActionTimes.map((t) => t.getUTCHours()));
  expect(utcHours).toEqual(new Set([7, 8])); // 08:58 UTC in winter, 07:58 UTC in summer
  for (const t of times)
    expect(localTime(t + 120_000, 'Europe/Berlin')).toMatchObject({ hour: 10, minute: 0 });
  await client.end(id);
});

it('a triggered occurrence is a webinar with the documented ID; a second trigger adds none', async () => {
  const { env, taskQueue } = stack();
  const client = new SeriesClient(env.client, taskQueue);
  const webinars = new WebinarClient(env.client, { taskQueue });
  const id = unique();
  await client.create(series(id));
  await client.trigger(id);
  const webinarId = `${id}-${localTime(Date.now() + 5_000, 'Europe/Berlin').date}`;
  const handle = webinars.handle(webinarId);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await handle.describe();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
  await client.trigger(id);
  // Both actions ran to completion (the Schedule appends its time to each ID); one webinar has the ID.
  const occurrences = async (): Promise<number> => {
    let n = 0;
    for await (const w of env.client.workflow.list({
      query: `WorkflowType = 'seriesOccurrenceWorkflow' AND ExecutionStatus = 'Completed'`,
    }))
      if (w.workflowId.startsWith(`series-occurrence-${id}-`)) n += 1;
    return n;
  };
  const until = Date.now() + 20_000;
  while ((await occurrences()) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 300));
  expect(await occurrences()).toBe(2);
  let count = 0;
  for await (const _ of env.client.workflow.list({ query: `WorkflowId = 'webinar-${webinarId}'` }))
    count += 1;
  expect(count).toBe(1);
  await webinars.action(webinarId, 'endWebinar', { reason: 'test' });
  await expect(webinars.result(webinarId)).resolves.toBeDefined();
  await client.pause(id);
  expect((await client.handle(id).describe()).state.paused).toBe(true);
  await client.resume(id);
  expect((await client.handle(id).describe()).state.paused).toBe(false);
  await client.end(id);
  await expect(client.handle(id).describe()).rejects.toThrow();
}, 90_000);

it('bad series input names its field and creates nothing', async () => {
  const client = new SeriesClient(stack().env.client, stack().taskQueue);
  const id = unique();
  const bad = series(id, { durationMinutes: 0 });
  await expect(client.create(bad)).rejects.toThrow(WebinarInputError);
  await expect(client.create(bad)).rejects.toThrow(/durationMinutes/);
  await expect(client.handle(id).describe()).rejects.toThrow();
});

it('skip and update change future occurrences only, through the Schedule', async () => {
  const { env, taskQueue } = stack();
  const client = new SeriesClient(env.client, taskQueue);
  const id = unique();
  await client.create(series(id));
  const today = localTime(Date.now() + 5_000, 'Europe/Berlin').date;
  await client.skip(id, today);
  await client.update(id, {
    ...(await client.spec(id)),
    template: { ...series(id).template, title: 'Updated title' },
  });
  const now = await client.spec(id);
  expect(now.template.title).toBe('Updated title');
  expect(now.recurrence.exclusions).toEqual([today]);
  await client.trigger(id);
  const deadline = Date.now() + 20_000;
  let result: unknown;
  while (result === undefined && Date.now() < deadline) {
    for await (const w of env.client.workflow.list({
      query: `WorkflowType = 'seriesOccurrenceWorkflow' AND ExecutionStatus = 'Completed'`,
    }))
      if (w.workflowId.startsWith(`series-occurrence-${id}-`))
        result = await env.client.workflow.getHandle(w.workflowId).result();
    if (result === undefined) await new Promise((r) => setTimeout(r, 300));
  }
  expect(result).toMatchObject({ kind: 'skipped' });
  await expect(
    new WebinarClient(env.client, { taskQueue }).handle(`${id}-${today}`).describe(),
  ).rejects.toThrow();
  await expect(client.update(id, { ...now, durationMinutes: -1 })).rejects.toThrow(/durationMinutes/);
  await client.end(id);
}, 60_000);
