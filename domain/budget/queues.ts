/**
 * The task queues that carry the budget: one per control Region, whose server-side rate limit is the Region's
 * budget, and beside each its operator lane (operator-lane.ts).
 */

/** The queue key of webinars that name no control Region: they use the worker's configured Region. */
export const DEFAULT_CONTROL_REGION_KEY = 'default';

/** The activity task queue of a control Region, e.g. `chime.us-east-1` (`chime.default`: the worker's Region). */
export function chimeTaskQueue(controlRegion: string | undefined): string {
  return `chime.${controlRegion ?? DEFAULT_CONTROL_REGION_KEY}`;
}

/** What a Region queue's name is followed by in its lane's name. */
export const OPERATOR_LANE_SUFFIX = '.operator';

/** The lane's task queue of a control Region, e.g. `chime.us-east-1.operator`. */
export function operatorLaneTaskQueue(controlRegion: string | undefined): string {
  return `${chimeTaskQueue(controlRegion)}${OPERATOR_LANE_SUFFIX}`;
}
