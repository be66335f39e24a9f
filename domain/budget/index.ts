/**
 * The account's Chime API budget: about 10 calls/s per control Region, shared by every webinar and every worker
 * process, enforced by the Temporal server as the rate limit of the Region's task queue. Its rules live here,
 * one idea a file (pure: workflow code imports them):
 * - call-classes.ts: the classes of call and their task priorities (the tiers);
 * - fairness.ts: each webinar's fairness key and its weight by how soon it starts;
 * - queues.ts: the Region queues' names and their operator lanes' names;
 * - rates.ts: the service's rate and burst per control Region, and what a window admits;
 * - activity-options.ts: the options every Chime call is scheduled with;
 * - operator-lane.ts: the lane an operator's first attempt takes, and its share of the budget;
 * - budget-token.ts: the activity that pays a lane call back, and its options.
 *
 * The parts that run in their own layer:
 * - workflows/operator-calls.ts: an operator's calls through the lane, each paid by a budget token;
 * - workflows/chime-calls.ts: which class, fairness weight and options each of a webinar's calls takes;
 * - activities/budget-token.ts: the budget token's activity (it calls nothing);
 * - worker/budget/config.ts: each Region's budget as the worker reads it from the environment;
 * - worker/budget/chime-workers.ts: the rate-limited Workers of each Region's queue and of its lane;
 * - domain/calendar.ts, client/library/calendar.ts: the capacity calendar, which counts planned calls
 *   against it.
 */
export * from './activity-options';
export * from './budget-token';
export * from './call-classes';
export * from './fairness';
export * from './operator-lane';
export * from './queues';
export * from './rates';
