/**
 * The large fault storm (npm run test:chaos): 5 webinars of 520 attendees at once, 30 % 500s, 20 % 503s with
 * Retry-After: 1, 50 ms latency and tight rate limits (10/s per operation, 25/s per account).
 */
import { runStorm, withStormStack } from '../reliability/storm';

it('5 webinars of 520 attendees complete through the storm, with throttles too', async () => {
  const report = await withStormStack(7, (stack) =>
    runStorm(stack, { webinars: 5, attendeesPerWebinar: 520, lateAttendees: 120, seed: 7 }),
  );
  expect(report.throttled).toBeGreaterThan(0);
  process.stdout.write(`large fault storm: ${JSON.stringify({ ...report, statuses: undefined })}\n`);
}, 480_000);
