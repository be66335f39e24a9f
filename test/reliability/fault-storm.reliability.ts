/**
 * Fault storm, small: 2 webinars at once on the dev server while the emulator spoils about half of all calls (500s
 * and 503s before the effect; lost answers, 500s and resets after it: see storm.ts), adds 50 ms to each, and
 * rate-limits tightly enough to throttle. Every webinar completes with its counts right, the emulator's creation
 * totals show no meeting or attendee created twice, and nothing is left behind.
 * It runs in `npm run test:reliability` (a stage of `npm test`), not the default suite: the retries through the
 * storm take 1–2 minutes of real time, mostly backoff, so it runs beside the other long trial there.
 * `npm run test:chaos` runs a larger storm (test/chaos/fault-storm-large.chaos.ts).
 */
import { runStorm, withStormStack } from './storm';

it('2 webinars of 260 attendees complete through 500s, 503s, answers lost after the effect, throttles and latency, creating nothing twice', async () => {
  const report = await withStormStack(42, (stack) =>
    runStorm(stack, { webinars: 2, attendeesPerWebinar: 260, lateAttendees: 20, seed: 42 }),
  );
  process.stdout.write(`fault storm: ${JSON.stringify({ ...report, statuses: undefined })}\n`);
}, 300_000);
