/**
 * The join page module on its own: HTML that needs nothing inline or from elsewhere and names every field the
 * script fills, and a script bundled once per process with the Chime SDK's configuration class but not its AWS
 * clients. What the page does in a browser: test/browser/join-page.test.ts.
 */
import { joinPage } from '../../client/join-api/page';

const TEST_IDS = [
  'join-page',
  'join-status',
  'join-details',
  'join-name',
  'join-role',
  'join-meeting-id',
  'join-attendee-id',
  'join-region',
  'join-primary',
  'join-primary-meeting-id',
  'join-primary-attendee-id',
  'join-primary-region',
  'join-retry',
  'join-error',
];

it('serves HTML with one external script of its own, no inline script or style, and every field', () => {
  const html = joinPage().html();
  expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/join/app.js" defer>']);
  expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  expect(html).toContain('<html lang="en">');
  expect(html).toContain('data-join-api="/v1/join"');
  for (const id of TEST_IDS) expect(html).toContain(`data-testid="${id}"`);
});

it('escapes what it is given and takes other paths', () => {
  const html = joinPage({ title: 'Q&A <live>', apiPath: '/api/join', scriptPath: '/static/join.js' }).html();
  expect(html).toContain('<title>Q&amp;A &lt;live&gt;</title>');
  expect(html).toContain('data-join-api="/api/join"');
  expect(html).toContain('<script src="/static/join.js" defer>');
});

it('bundles the script once per process: MeetingSessionConfiguration in, the AWS clients out', async () => {
  const first = joinPage();
  const started = Date.now();
  const script = await first.script();
  const firstMs = Date.now() - started;
  const again = Date.now();
  expect(await joinPage().script()).toBe(script);
  const againMs = Date.now() - again;
  expect(againMs).toBeLessThan(50);
  expect(script.length).toBeLessThan(150_000);
  expect(script).toContain('signalingURL');
  expect(script).not.toMatch(/ChimeSDKMessagingClient|node:crypto|require\("fs"\)/);
  console.log(`join page script: ${(script.length / 1024).toFixed(0)} KiB, bundled in ${firstMs} ms`);
});
