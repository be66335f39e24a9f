/**
 * Fault storm, default-suite size: 2 webinars at once on the dev server while the emulator fails about half of
 * all calls (30 % 500, 20 % 503 with Retry-After: 1), adds 50 ms to each, and rate-limits tightly. Every webinar
 * completes with its counts right, no meeting or attendee is created twice and nothing is left behind.
 * `npm run test:chaos` runs a larger storm (test/chaos/fault-storm-large.test.ts).
 */
import { runStorm, withStormStack } from './storm';

it('2 webinars of 260 attendees complete through a storm of 500s, 503s, throttles and latency', async () => {
  const report = await withStormStack(42, (stack) =>
    runStorm(stack, { webinars: 2, attendeesPerWebinar: 260, lateAttendees: 20, seed: 42 }),
  );
  process.stdout.write(`fault storm: ${JSON.stringify({ ...report, statuses: undefined })}\n`);
}, 300_000);
