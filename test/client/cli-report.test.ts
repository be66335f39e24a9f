/**
 * `npm run cli -- report`: the attendance report read from the workers' store (here a PGlite folder, sealed with
 * the payload keys as the workers seal it), through the CLI's main() with argv; its CSV (RFC 4180) and JSON
 * exactly, and what it says when there is nothing to report or the command line is wrong. No Temporal server:
 * the report never asks one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCredentialStore } from '../../activities/credentials';
import { main } from '../../client/cli/main';
import { csvField } from '../../client/library/attendance-report';
import { generateEncryptionKey, parseEncryptionKeys } from '../../client/temporal/codec';
import type { AttendanceRecord } from '../../domain/attendance';
import { attendanceRecord } from '../support/attendance-store-cases';

jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
const KEYS = generateEncryptionKey('k1');
const ENV = { CREDENTIAL_STORE_URL: `pglite:${join(dir, 'store')}`, PAYLOAD_ENCRYPTION_KEYS: KEYS };

const RECORDS: AttendanceRecord[] = [
  attendanceRecord('Doe, "JD" John', { role: 'speaker' }),
  attendanceRecord('absent', { firstJoinAt: null, lastLeaveAt: null, connectedSeconds: 0, joins: 0 }),
  attendanceRecord('host@example.com', {
    role: 'host',
    firstJoinAt: '2030-05-01T14:58:00.000Z',
    lastLeaveAt: '2030-05-01T16:00:02.000Z',
    connectedSeconds: 3720,
    joins: 3,
    drops: 2,
  }),
];

beforeAll(async () => {
  const store = await openCredentialStore(
    { engine: 'pglite', dataDir: join(dir, 'store') },
    parseEncryptionKeys(KEYS),
  );
  // Written out of order: the report lists them by externalUserId.
  await store.putAttendance({ webinarId: 'w42', generation: 1, records: [...RECORDS].reverse() });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], env: NodeJS.ProcessEnv = ENV) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

const CSV =
  'externalUserId,role,firstJoinAt,lastLeaveAt,connectedSeconds,joins,drops\r\n' +
  '"Doe, ""JD"" John",speaker,2030-05-01T15:00:05.000Z,2030-05-01T16:00:00.000Z,3595,1,0\r\n' +
  'absent,viewer,,,0,0,0\r\n' +
  'host@example.com,host,2030-05-01T14:58:00.000Z,2030-05-01T16:00:02.000Z,3720,3,2\r\n';

it('writes the CSV to stdout: a header, one RFC 4180 row per attendee by externalUserId', async () => {
  expect(await cli(['report', 'w42'])).toEqual({ code: 0, stdout: CSV, stderr: '' });
});

it('writes the JSON with totals from the rows to a file', async () => {
  const file = join(dir, 'w42.json');
  const run = await cli(['report', 'w42', '--format', 'json', '--output', file]);
  expect(run).toEqual({
    code: 0,
    stdout: `Wrote the attendance of webinar w42 (3 attendees, json) to ${file}\n`,
    stderr: '',
  });
  const expected = {
    webinarId: 'w42',
    records: RECORDS,
    totals: { invited: 3, joined: 2, neverJoined: 1, drops: 2, connectedSeconds: 7315 },
  };
  expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(expected, null, 2)}\n`);
});

it('says when the webinar has no report yet, and where its live counts are (exit 1)', async () => {
  const run = await cli(['report', 'w-running']);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(
    'No attendance report for webinar w-running: the report is written when the webinar ends. ' +
      'While it runs, its live attendance counts are in `status w-running`.\n',
  );
});

it.each([
  [['report', 'w42', '--format', 'xml'], /^--format xml is not a report format: use csv or json/],
  [['report', 'w 42'], /^Invalid report argument: webinarId: has a character/],
  [['report'], /^missing arguments: report <webinarId> \[--format csv\|json\] \[--output <file>\]/],
  [['report', 'w42', 'extra'], /^unexpected arguments extra: report <webinarId>/],
  [['report', 'w42', '--output', ''], /^--output needs a file path/],
])('refuses %j before opening the store (exit 2), naming what is wrong', async (argv, message) => {
  const run = await cli(argv, {});
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
});

it.each([
  [{}, /CREDENTIAL_STORE_URL: must be set to the workers' store/],
  [
    { CREDENTIAL_STORE_URL: 'pglite:memory' },
    /CREDENTIAL_STORE_URL: must name the workers' store.*in-memory/,
  ],
  [{ CREDENTIAL_STORE_URL: ENV.CREDENTIAL_STORE_URL }, /PAYLOAD_ENCRYPTION_KEYS: must be set/],
  [{ ...ENV, PAYLOAD_ENCRYPTION_KEYS: 'k1:short' }, /PAYLOAD_ENCRYPTION_KEYS: /],
])('names the setting when the store is not one it can read (exit 2)', async (env, message) => {
  const run = await cli(['report', 'w42'], env);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^Invalid credential store \(for report\):/);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toContain('short');
});

it('lists report in its usage', async () => {
  const run = await cli(['help']);
  expect(run.stdout).toContain('report <webinarId> [--format csv|json] [--output <file>]');
  expect(run.stdout).toContain('--format csv|json');
});

it('quotes a field only when it must, line breaks included', () => {
  expect([
    csvField('plain'),
    csvField('a,b'),
    csvField('say "hi"'),
    csvField('two\nlines'),
    csvField(null),
  ]).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '']);
});
