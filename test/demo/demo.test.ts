/**
 * The demo's full run, in process, with a small roster: dev server (with UI), emulator with the service's rate
 * limits, worker, join API and page; schedule, join links, registration, live actions, end; summary with nothing
 * left behind.
 */
import { createServer } from 'node:net';
import { main } from '../../scripts/demo';
import { demoRoster, demoSpec } from '../../scripts/demo/spec';
import { validateWebinarSpec } from '../../domain/validation/spec';

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

it('runs to completion at its default arguments (1,000 attendees): promotes a replica viewer, prints each phase, join links that answer, a summary with 0 meetings left and the attendance of those who connected', async () => {
  let stdout = '';
  let stderr = '';
  const code = await main([], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const uiUrl = /Temporal web UI: +(http:\/\/localhost:(\d+)\/\S+)/.exec(stdout);
  expect(uiUrl).not.toBeNull();
  for (const phase of ['PROVISIONING', 'READY', 'LIVE', 'ENDED']) {
    expect(stdout).toMatch(new RegExp(`^\\[ *\\d+\\.\\d s\\] ${phase}$`, 'm'));
  }
  // Not a TTY: plain progress lines, no carriage returns.
  expect(stdout).not.toContain('\r');
  expect(stdout).toMatch(/^ +1000\/1000 registered$/m);
  // A replica viewer gets presenter credentials in the primary: the primary kept a seat for it.
  expect(stdout).toMatch(/promoteSpeaker viewer-\d+: .* has speaker credentials in the primary meeting/);
  expect(stdout).toMatch(/muteAllExcept host-1, viewer-\d+: muted everyone but 2/);
  expect(stdout).toMatch(/Summary of webinar demo-\S+: 1000 attendees, 1000 registered, 0 failed/);
  expect(stdout).toMatch(/^BatchCreateAttendee +\d+ +\d+ +\d+ +\d+$/m);
  expect(stdout).toMatch(/^CreateMeeting +\d+/m);
  expect(stdout).toMatch(/^Meetings left in the emulator: 0$/m);
  expect(stdout).toMatch(/^Throttled responses: \d+$/m);
  // Attendees connected through the emulator; their events came back through the events bridge.
  expect(stdout).toMatch(/^ +attendance \(published status\): connected 5, joined 6, dropped 1$/m);
  expect(stdout).toMatch(
    /^Attendance: 6 of 1000 joined, 1 dropped connection\(s\), \d+ s connected in all; 1000 records stored/m,
  );
  expect(stdout).toMatch(/^ +host-1 +\d{4}-\d\d-\d\dT\S+Z +\d{4}-\d\d-\d\dT\S+Z +\d+ +1 +0$/m);
  // Join links for the host and the promoted viewer; their tokens, posted before the end, answer both seats.
  const page = /^Join API and page: +(http:\/\/127\.0\.0\.1:(\d+)\/join) /m.exec(stdout);
  expect(page).not.toBeNull();
  for (const who of ['host-1', 'viewer-\\d+'])
    expect(stdout).toMatch(new RegExp(`^ +${who} +${page?.[1] ?? ''}#j1\\.\\S+$`, 'm'));
  expect(stdout).toMatch(/^ +join host-1: presenter in meeting \S+ \(us-east-1\)$/m);
  expect(stdout).toMatch(
    /^ +join viewer-\d+: presenter in meeting \S+ \(eu-west-1\), on stage in \S+ \(us-east-1\)$/m,
  );
  // Nothing left running: the dev server's frontend and UI ports are free again.
  const frontend = /Temporal dev server: +127\.0\.0\.1:(\d+)/.exec(stdout);
  expect(await portIsFree(Number(frontend?.[1]))).toBe(true);
  expect(await portIsFree(Number(uiUrl?.[2]))).toBe(true);
  expect(await portIsFree(Number(page?.[2]))).toBe(true);
});

it('Ctrl-C after scheduling cancels the webinar, stops everything it started and exits 130', async () => {
  let stdout = '';
  let stderr = '';
  const interrupt = new AbortController();
  const code = await main(['--attendees', '20', '--no-ui'], {
    stdout: (t) => {
      stdout += t;
      if (t.startsWith('\nScheduled webinar')) interrupt.abort();
    },
    stderr: (t) => (stderr += t),
    isTTY: false,
    signal: interrupt.signal,
  });
  expect(code).toBe(130);
  expect(stderr).toMatch(/^Cancelled webinar demo-\S+: its meetings were torn down$/m);
  expect(stdout).not.toContain('Summary of webinar');
  const frontend = /Temporal dev server: +127\.0\.0\.1:(\d+)/.exec(stdout);
  expect(await portIsFree(Number(frontend?.[1]))).toBe(true);
  const emulatorPort = /Chime SDK emulator: +http:\/\/[^:]+:(\d+)/.exec(stdout);
  expect(await portIsFree(Number(emulatorPort?.[1]))).toBe(true);
  const joinPort = /^Join API and page: +http:\/\/127\.0\.0\.1:(\d+)\//m.exec(stdout);
  expect(await portIsFree(Number(joinPort?.[1]))).toBe(true);
});

it('rejects a bad roster size or address with exit code 2 before starting anything', async () => {
  let stderr = '';
  const io = { stdout: () => undefined, stderr: (t: string) => (stderr += t), isTTY: false };
  expect(await main(['--attendees', 'lots'], io)).toBe(2);
  expect(stderr).toMatch(/--attendees lots is not a whole number/);
  expect(await main(['--temporal-address', 'nowhere'], io)).toBe(2);
  expect(stderr).toMatch(/--temporal-address: "nowhere" is not host:port/);
});

it('builds a valid three-Region roster of the requested size', () => {
  const spec = demoSpec(1000);
  expect(validateWebinarSpec(spec).ok).toBe(true);
  const regions = new Set(demoRoster(1000).map((a) => a.region));
  expect([...regions].sort()).toEqual(['ap-southeast-1', 'eu-west-1', 'us-east-1']);
  expect(validateWebinarSpec(demoSpec(5000)).ok).toBe(true);
});

it('accepts every roster size on both sides of each meeting boundary up to 10,240, and refuses 10,241', async () => {
  for (let k = 1; k <= 41; k++) {
    for (const size of [k * 250 - 11, k * 250 - 10, k * 250 - 9]) {
      if (size > 10_240) continue;
      const result = validateWebinarSpec(demoSpec(size));
      expect({ size, ok: result.ok }).toEqual({ size, ok: true });
    }
  }
  let stderr = '';
  const io = { stdout: () => undefined, stderr: (t: string) => (stderr += t), isTTY: false };
  expect(await main(['--attendees', '10241'], io)).toBe(2);
  expect(stderr).toMatch(/--attendees 10241 is not a whole number in 1-10240/);
});
