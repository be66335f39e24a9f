/**
 * The operator CLI end to end against a dev server, the emulator and a worker: every command through the CLI's
 * main() with argv (stdout/stderr captured), plus one smoke test that spawns it as a process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { main } from '../../client/cli/main';
import { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { webinarWorkflowId } from '../../workflows/definitions';
import { startWebinarStack, webinarBundle, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;
let client: WebinarClient;
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'dev' });
  client = new WebinarClient(stack.env.client, { taskQueue: stack.taskQueue });
});

afterAll(async () => {
  await stack?.shutdown();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--address', stack.env.address, '--task-queue', stack.taskQueue], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
  });
  return { code, stdout, stderr };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function waitFor(
  id: string,
  ok: (s: WebinarStatus) => boolean,
  timeoutMs = 20_000,
  live = false,
): Promise<WebinarStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: WebinarStatus | undefined;
  while (Date.now() < deadline) {
    last = await client.status(id, { live });
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status never matched: ${JSON.stringify(last)}`);
}

/** Visibility is eventually consistent: poll `list` until it shows what we expect. */
async function waitForList(phase: string, id: string): Promise<Run> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await cli('list', '--phase', phase);
    if (run.stdout.includes(id) || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A webinar about to go live: provisioning starts ~1 s from now, LIVE ~3 s from now. */
function liveSoonSpec(): WebinarSpec {
  const now = Date.now();
  return webinarSpec(now, {
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: 2,
  });
}

describe('a webinar driven from schedule to end', () => {
  const spec = liveSoonSpec();
  const id = spec.webinarId;

  it('schedules from a JSON file, idempotently, and refuses the same ID with another input', async () => {
    const specFile = file('live.json', JSON.stringify(spec));
    const first = await cli('schedule', specFile);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`^Scheduled webinar ${id} \\(workflow webinar-${id}, run `));
    const retry = await cli('schedule', specFile, '--json');
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ webinarId: id, created: false });
    const runId = (JSON.parse(retry.stdout) as { runId: string }).runId;
    expect(first.stdout).toContain(runId);

    const other = await cli(
      'schedule',
      file('other.json', JSON.stringify({ ...spec, title: 'Another title' })),
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(`Webinar "${id}" already exists`);
    expect(other.stderr).toMatch(/different input/);
  });

  it('shows status as a readable summary and as JSON, from the memo and (--live) the query', async () => {
    await waitFor(id, (s) => s.phase === 'LIVE');
    const text = await cli('status', id, '--live');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Webinar ${id}: LIVE \\(generation 1\\)`));
    expect(text.stdout).toMatch(/attendees {6}requested 22, registered 22, failed 0/);
    expect(text.stdout).toMatch(/presenters {5}ready \(requested 2, registered 2, failed 0\)/);
    expect(text.stdout).toMatch(/primary {8}\S+ \(us-east-1\)/);
    // 22 attendees fit in the primary: the capacity plan creates no replica.
    expect(text.stdout).toMatch(/replicas {7}-/);
    const json = await cli('status', id, '--json', '--live');
    expect(JSON.parse(json.stdout)).toMatchObject({
      webinarId: id,
      phase: 'LIVE',
      speakers: ['host-1', 'speaker-1'],
      presenters: { requested: 2, registered: 2, failed: 0 },
      presentersReady: true,
      source: 'query',
    });
    // By default the published memo: counts and the primary's Region, no IDs.
    const memo = await cli('status', id);
    expect(memo.code).toBe(0);
    expect(memo.stdout).toMatch(new RegExp(`^Webinar ${id}: LIVE \\(generation 1\\)`));
    expect(memo.stdout).toMatch(/meetings {7}1 \(primary in us-east-1\)/);
    expect(memo.stdout).toMatch(/attendees {6}requested 22, registered 22, failed 0/);
    expect(memo.stdout).toMatch(/presenters {5}ready \(requested 2, registered 2, failed 0\)/);
    expect(memo.stdout).toMatch(/speakers {7}2\n/);
    expect(memo.stdout).toMatch(/published {6}\d{4}-\d\d-\d\dT\S+ \(workflow time; --live for/);
    expect(memo.stdout).not.toContain('host-1');
    const memoJson = await cli('status', id, '--json');
    expect(JSON.parse(memoJson.stdout)).toMatchObject({
      webinarId: id,
      phase: 'LIVE',
      source: 'memo',
      speakers: [],
      speakerCount: 2,
      meetingCount: 1,
      presentersReady: true,
    });
    const where = await cli('attendee', id, 'viewer-1');
    expect(where.stdout).toMatch(/^viewer in us-east-1: meeting \S+, attendee \S+/);
  });

  it('promotes and demotes (Update), and promotes by Signal with --signal', async () => {
    const promote = await cli('promote', id, 'viewer-2');
    expect(promote).toMatchObject({ code: 0, stderr: '' });
    expect((await client.status(id, { live: true })).speakers).toContain('viewer-2');
    // The Update's completion follows the memo's upsert: the memo counts the new speaker at once.
    expect((await client.status(id)).speakerCount).toBe(3);
    const demote = await cli('demote', id, 'viewer-2');
    expect(demote.code).toBe(0);
    expect((await client.status(id, { live: true })).speakers).not.toContain('viewer-2');
    expect((await client.status(id)).speakerCount).toBe(2);
    const signal = await cli('promote', id, 'viewer-4', '--signal');
    expect(signal).toMatchObject({ code: 0, stdout: 'signal sent\n' });
    await waitFor(id, (s) => s.speakers.includes('viewer-4'), 20_000, true);
  });

  it('runs any action of the table by name with its argument as JSON: Update, Signal, and the workflow refusing retryTeardown outside TEARDOWN_FAILED', async () => {
    const promote = await cli('action', id, 'promoteSpeaker', '{"externalUserId":"viewer-5"}');
    expect(promote).toMatchObject({ code: 0, stderr: '' });
    expect((await client.status(id, { live: true })).speakers).toContain('viewer-5');
    const demote = await cli('action', id, 'demoteSpeaker', '{"externalUserId":"viewer-5"}', '--signal');
    expect(demote).toMatchObject({ code: 0, stdout: 'signal sent\n' });
    await waitFor(id, (s) => !s.speakers.includes('viewer-5'), 20_000, true);
    // No argument is the empty object: it reaches the workflow's retryTeardown, which the phase refuses.
    const retry = await cli('action', id, 'retryTeardown');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(
      'retryTeardown rejected: retryTeardown is not allowed in phase LIVE (allowed: TEARDOWN_FAILED)',
    );
  });

  it('mutes everyone except the listed attendees', async () => {
    const before = stack.emulator.state().operations.BatchUpdateAttendeeCapabilitiesExcept?.succeeded ?? 0;
    const run = await cli('mute-all-except', id, 'host-1', 'speaker-1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/muted everyone but 2 attendee\(s\) with 1 call/);
    const after = stack.emulator.state().operations.BatchUpdateAttendeeCapabilitiesExcept?.succeeded ?? 0;
    expect(after - before).toBe(1); // one meeting: the primary
  });

  it('adds attendees from a CSV file (header, comments, quoted fields) and removes one', async () => {
    const csv = file(
      'late.csv',
      'externalUserId,role,region\n# late joiners\nlate-1,viewer,eu-west-1\n"late-2",viewer,\nlate-3,speaker\n',
    );
    const add = await cli('add-attendees', id, csv);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    await waitFor(id, (s) => s.attendees.registered === 25);
    expect(await client.attendee(id, 'late-3')).toMatchObject({ role: 'speaker', region: 'us-east-1' });
    const remove = await cli('remove', id, 'late-2');
    expect(remove.code).toBe(0);
    const gone = await cli('attendee', id, 'late-2');
    expect(gone.code).toBe(1);
  });

  it('lists webinars by phase', async () => {
    const live = await waitForList('live', id);
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(
      new RegExp(
        `^WEBINAR +PHASE +STARTS +REGISTERED +FAILED +MEETINGS +WORKFLOW STATUS\n(.*\n)*${id} +LIVE +\\S+ +\\d+/\\d+ +\\d+ +\\d+ +RUNNING`,
      ),
    );
    const json = await cli('list', '--phase', 'LIVE', '--json');
    expect((JSON.parse(json.stdout) as { webinarId: string }[]).map((w) => w.webinarId)).toContain(id);
    const ended = await cli('list', '--phase', 'ENDED');
    expect(ended.stdout).not.toContain(id);
    // The start window (WebinarStartAt): from inclusive, to exclusive.
    const start = Date.parse(spec.startAt);
    const around = (ms: number) => new Date(start + ms).toISOString();
    const inside = await cli('list', '--phase', 'LIVE', '--from', around(-1_000), '--to', around(1_000));
    expect(inside.stdout).toContain(id);
    const after = await cli('list', '--from', around(1_000));
    expect(after.stdout).not.toContain(id);
  });

  it('ends the webinar with a reason, leaving no meeting behind', async () => {
    const end = await cli('end', id, '--reason', 'speaker ill');
    expect(end.code).toBe(0);
    const outcome: unknown = await stack.env.client.workflow.getHandle(webinarWorkflowId(id)).result();
    expect(outcome).toMatchObject({ phase: 'ENDED', reason: 'speaker ill' });
    expect(stack.liveMeetings()).toBe(0);
    const late = await cli('promote', id, 'host-1');
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(`promoteSpeaker rejected: webinar "${id}" has already closed (phase ENDED`);
  });

  it('exports a history that replays against the production workflows', async () => {
    const out = join(dir, 'history.json');
    const run = await cli('export-history', id, out);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Wrote \\d+ events of webinar ${id} to `));
    const history: unknown = JSON.parse(readFileSync(out, 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await webinarBundle() }, history, webinarWorkflowId(id));
  });
});

describe('a webinar scheduled from YAML, rescheduled and cancelled', () => {
  const spec = webinarSpec(Date.now());
  const id = spec.webinarId;

  it('schedules from YAML, reschedules, lists it as SCHEDULED, then cancels', async () => {
    const yaml = [
      `webinarId: ${id}`,
      `startAt: "${spec.startAt}"`,
      `endAt: "${spec.endAt}"`,
      'primaryRegion: us-east-1',
      'attendees:',
      '  - { externalUserId: host-1, role: host }',
      '  - externalUserId: viewer-1',
      '    role: viewer',
      '',
    ].join('\n');
    expect((await cli('schedule', file('later.yaml', yaml))).code).toBe(0);
    const newStart = new Date(Date.parse(spec.startAt) + 600_000).toISOString();
    const newEnd = new Date(Date.parse(spec.endAt) + 600_000).toISOString();
    const moved = await cli('reschedule', id, '--start', newStart, '--end', newEnd);
    expect(moved.code).toBe(0);
    expect(await client.status(id)).toMatchObject({ startAt: newStart, endAt: newEnd, phase: 'SCHEDULED' });
    expect((await waitForList('SCHEDULED', id)).stdout).toContain(id);

    const cancel = await cli('cancel', id);
    expect(cancel.code).toBe(0);
    await waitFor(id, (s) => s.phase === 'CANCELLED');
  });
});

describe('bad input gets a message a person can act on, and a non-zero exit', () => {
  /** The CLI aimed at an address where nothing listens: what it refuses, it refuses before connecting. */
  async function offline(...argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await main([...argv, '--address', '127.0.0.1:1'], {
      stderr: (t) => (stderr += t),
      env: {},
    });
    return { code, stderr };
  }

  it('patch-readiness of a patch the registry does not declare, or without a deployment time', async () => {
    const unknown = await offline(
      'patch-readiness',
      'no-such-patch',
      '--deployed-at',
      '2027-01-12T09:00:00Z',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/patch: "no-such-patch" is not in workflows\/patches.ts/);
    const undated = await offline('patch-readiness', 'no-such-patch');
    expect(undated.code).toBe(2);
    expect(undated.stderr).toMatch(/deployedAt: undefined is not an ISO-8601 date-time with a timezone/);
  });

  it('a missing spec file', async () => {
    const run = await cli('schedule', join(dir, 'nope.json'));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/spec file .*nope\.json does not exist/);
  });

  it('a spec that is not JSON', async () => {
    const run = await cli('schedule', file('broken.json', '{"webinarId": '));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.json is not valid JSON/);
  });

  it('an invalid spec names every bad field, before anything is started', async () => {
    const bad = { ...webinarSpec(Date.now()), webinarId: 'x', primaryRegion: 'mars-1' };
    const run = await cli('schedule', file('invalid.json', JSON.stringify(bad)));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Invalid webinar input: /);
    expect(run.stderr).toMatch(/webinarId: /);
    expect(run.stderr).toMatch(/primaryRegion: /);
    expect((await cli('status', 'x')).code).toBe(1);
  });

  it('a bad CSV row is reported by line', async () => {
    const csv = file(
      'bad.csv',
      'externalUserId,role,region\nok-1,viewer\nbad-1,vip,eu-west-1\nonly-one-column\n',
    );
    const run = await cli('add-attendees', 'whatever', csv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.csv: line 4: expected 2 or 3 columns/);
    const roleOnly = file('role.csv', 'ok-1,viewer\nbad-1,vip,eu-west-1\n');
    const role = await cli('add-attendees', 'whatever', roleOnly);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/role\.csv: line 2 role: /);
  });

  it('an unknown webinar', async () => {
    for (const argv of [
      ['status', 'no-such-webinar'],
      ['promote', 'no-such-webinar', 'someone'],
      ['cancel', 'no-such-webinar'],
      ['export-history', 'no-such-webinar', join(dir, 'x.json')],
    ]) {
      const run = await cli(...argv);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch('No webinar "no-such-webinar" (workflow ID webinar-no-such-webinar)');
    }
  });

  it('usage errors: unknown command, unknown option, missing arguments, bad phase, reschedule without times', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['status', 'w-1', '--colour'], /Unknown option '--colour'/],
      [['promote', 'w-1'], /missing arguments: promote <webinarId> <externalUserId>/],
      [['list', '--phase', 'SLEEPING'], /--phase SLEEPING is not a phase: use one of SCHEDULED, /],
      [['list', '--from', 'yesterday'], /--from yesterday is not an ISO-8601 date-time/],
      [['reschedule', 'w-1'], /needs --start, --end or both/],
      [['reschedule', 'w-1', '--start', 'tomorrow'], /Invalid reschedule argument: startAt: /],
      [['mute-all-except', 'w-1'], /missing arguments/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(...argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    expect((await cli()).code).toBe(2);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run cli -- <command>/);
  });

  it('invalid input is refused before connecting: no server needed', async () => {
    const spec = file('offline.json', JSON.stringify({ ...webinarSpec(Date.now()), endAt: 'soon' }));
    expect(await offline('schedule', spec)).toEqual({
      code: 2,
      stderr: expect.stringMatching(/^Invalid webinar input: endAt: /) as unknown,
    });
    const csv = file('offline.csv', 'a-1,viewer\nbad-1,vip\n');
    expect(await offline('add-attendees', 'w-1', csv)).toEqual({
      code: 2,
      stderr: expect.stringMatching(/^.*offline\.csv: line 2 role: /) as unknown,
    });
    expect((await offline('promote', 'w-1', 'x')).code).toBe(2); // externalUserId too short
    expect((await offline('end', 'w-1', '--reason', 'r'.repeat(300))).code).toBe(2);
  });

  it("action: an unknown action, an argument that is not JSON or breaks the action's rules, and wrong counts are refused before connecting, naming the field", async () => {
    const cases: [string[], RegExp][] = [
      [
        ['action', 'w-1', 'promote'],
        /^Unknown action "promote"\. Actions: promoteSpeaker, demoteSpeaker, .*retryTeardown\n$/,
      ],
      [
        ['action', 'w-1', 'promoteSpeaker', '{externalUserId: alice}'],
        /^promoteSpeaker argument is not JSON \(/,
      ],
      [
        ['action', 'w-1', 'promoteSpeaker', '{"externalUserId":"x"}'],
        /^Invalid promoteSpeaker argument: externalUserId: /,
      ],
      [['action', 'w-1', 'promoteSpeaker'], /^Invalid promoteSpeaker argument: externalUserId: /],
      [
        ['action', 'w-1', 'muteAllExcept', '{"externalUserIds":"host-1"}'],
        /^Invalid muteAllExcept argument: externalUserIds: /,
      ],
      [
        ['action', 'w-1', 'retryTeardown', '{"force":true}'],
        /^Invalid retryTeardown argument: input: takes an empty object \{\}/,
      ],
      [['action', 'w-1'], /^missing arguments: action <webinarId> <action> \[argument JSON\]/],
      [['action', 'w-1', 'endWebinar', '{}', 'extra'], /^unexpected arguments extra: action /],
    ];
    for (const [argv, message] of cases) {
      const run = await offline(...argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
      expect(run.stderr).toMatch(message);
    }
  });

  it('a bad --address names the flag', async () => {
    let stderr = '';
    const code = await main(['status', 'w-1', '--address', 'no-port'], {
      stderr: (t) => (stderr += t),
      env: {},
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--address: "no-port" is not host:port/);
  });
});

it('runs as a process (smoke): exit codes and output through a real spawn', async () => {
  const root = resolve(__dirname, '../..');
  const run = (args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'client/cli/main.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, TEMPORAL_ADDRESS: stack.env.address },
      },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const list = await run(['list', '--json']);
  expect(list.code).toBe(0);
  expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
  const missing = await run(['status', 'no-such-webinar']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/No webinar "no-such-webinar"/);
});
