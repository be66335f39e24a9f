/**
 * The replay gate (`npm run cli -- replay`) against a dev server with the emulator and a worker: real webinar
 * histories replay; a history from a different workflow registered under the same type, and a recorded history
 * altered to schedule an activity the code does not, are named and fail the gate (exit 1); the query, the limit
 * and bad arguments behave as documented.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { main } from '../../client/cli/main';
import { WebinarClient } from '../../client/library/webinar-client';
import { webinarWorkflowId } from '../../workflows/definitions';
import { startWebinarStack, webinarBundle, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;
let bundle: WorkflowBundleWithSourceMap;
const dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
const HISTORIES = join(__dirname, '..', 'histories');
const tag = `replay${process.pid}`;
const good: string[] = [];
let impostorId = '';

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'dev' });
  bundle = await webinarBundle();
  const webinars = new WebinarClient(stack.env.client, { taskQueue: stack.taskQueue });
  // Two webinars that end while scheduled: complete webinar histories, quickly.
  for (let i = 0; i < 2; i++) {
    const spec = webinarSpec(Date.now(), { webinarId: `${tag}-good-${i}` });
    await webinars.schedule(spec);
    await webinars.action(spec.webinarId, 'endWebinar', { reason: 'replay test' });
    await webinars.result(spec.webinarId);
    good.push(webinarWorkflowId(spec.webinarId));
  }
  // A different workflow under the same type: its history cannot be replayed by the webinar code.
  impostorId = webinarWorkflowId(`${tag}-impostor`);
  const impostor = await Worker.create({
    connection: stack.env.nativeConnection,
    taskQueue: `impostor-${process.pid}`,
    workflowsPath: require.resolve('../fixtures/impostor-workflows'),
  });
  await impostor.runUntil(
    stack.env.client.workflow.execute('webinarWorkflow', {
      taskQueue: `impostor-${process.pid}`,
      workflowId: impostorId,
    }),
  );
  // Visibility is eventually consistent: wait until the three are listed.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { count } = await stack.env.client.workflow.count(`WorkflowId STARTS_WITH 'webinar-${tag}'`);
    if (count >= 3 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}, 240_000);

afterAll(async () => {
  await stack?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function replay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['replay', ...argv, '--address', stack.env.address], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    workflowBundle: bundle,
  });
  return { code, stdout, stderr };
}

it('passes on webinar histories from the cluster, one line per history', async () => {
  const r = await replay('--query', `WorkflowId STARTS_WITH 'webinar-${tag}-good'`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const id of good)
    expect(r.stdout).toMatch(new RegExp(`^ok +${id} run [0-9a-f-]+ \\(\\d+ events\\)$`, 'm'));
  expect(r.stdout).toContain('Replayed 2 histories: all replay on the current workflow code.');
});

it('fails, exit 1, naming the history that does not replay', async () => {
  const r = await replay('--query', `WorkflowId STARTS_WITH 'webinar-${tag}'`);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^FAILED +${impostorId} run [0-9a-f-]+: .+`, 'm'));
  for (const id of good) expect(r.stdout).toMatch(new RegExp(`^ok +${id} `, 'm'));
  expect(r.stdout).toMatch(
    new RegExp(`3 histories: 1 do not replay on the current workflow code: ${impostorId} run`),
  );
  expect(r.stderr).toContain('1 of 3 histories do not replay');
});

it('stops at --limit and fails when the query matches nothing', async () => {
  const limited = await replay('--query', `WorkflowId STARTS_WITH 'webinar-${tag}-good'`, '--limit', '1');
  expect(limited.code).toBe(0);
  expect(limited.stdout).toContain('Replayed 1 histories');
  const none = await replay('--query', `WorkflowId = 'webinar-${tag}-nobody'`);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('No webinar histories match');
  expect((await replay('--query', `WorkflowId = 'webinar-${tag}-nobody'`, '--allow-empty')).code).toBe(0);
});

it('replays JSON history files with --dir, naming an altered one and a file that is not a history', async () => {
  const recorded = await replay('--dir', HISTORIES);
  expect(recorded.code).toBe(0);
  expect(recorded.stdout).toMatch(/^ok +test\/histories\/full-lifecycle\.json \(\d+ events\)$/m);

  const history = JSON.parse(readFileSync(join(HISTORIES, 'full-lifecycle.json'), 'utf8')) as {
    events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[];
  };
  const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes);
  if (!scheduled?.activityTaskScheduledEventAttributes) throw new Error('no activity in the recording');
  scheduled.activityTaskScheduledEventAttributes.activityType.name = 'createMeetingInTheOldWay';
  writeFileSync(join(dir, 'altered.json'), JSON.stringify(history));
  writeFileSync(join(dir, 'notes.json'), '{"not": "a history"}');
  const altered = await replay('--dir', dir);
  expect(altered.code).toBe(1);
  expect(altered.stdout).toMatch(/^FAILED +\S*altered\.json: .+/m);
  expect(altered.stdout).toMatch(/^FAILED +\S*notes\.json: not a history: .+/m);
  expect(altered.stdout).toContain(
    `2 do not replay on the current workflow code: ${join(dir, 'altered.json')}`,
  );
});

it('rejects bad arguments before connecting (exit 2)', async () => {
  expect((await replay()).stderr).toContain('replay needs exactly one of --query');
  expect((await replay()).code).toBe(2);
  const both = await replay('--query', 'x', '--dir', HISTORIES);
  expect(both.code).toBe(2);
  const limit = await replay('--query', "WorkflowId = 'x'", '--limit', '0');
  expect(limit).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--limit 0 is not a whole number') as unknown,
  });
  const missing = await replay('--dir', join(dir, 'nowhere'));
  expect(missing).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('is not a directory') as unknown,
  });
});
