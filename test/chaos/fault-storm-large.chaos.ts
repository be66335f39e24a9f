/**
 * The large fault storm (npm run test:chaos): 5 webinars of 520 attendees at once through the faults of
 * storm.ts (500s and 503s before the effect; lost answers, 500s and resets after it), 50 ms latency and tight
 * rate limits. runStorm asserts the throttles, the after-the-effect faults and "nothing created twice".
 */
import { runStorm, withStormStack } from '../reliability/storm';

it('5 webinars of 520 attendees complete through the storm, with throttles and answers lost after the effect, creating nothing twice', async () => {
  const report = await withStormStack(7, (stack) =>
    runStorm(stack, { webinars: 5, attendeesPerWebinar: 520, lateAttendees: 120, seed: 7 }),
  );
  process.stdout.write(`large fault storm: ${JSON.stringify({ ...report, statuses: undefined })}\n`);
}, 480_000);
