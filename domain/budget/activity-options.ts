/**
 * The options every Chime call is scheduled with (workflow code proxies the Chime activities with these): its
 * control Region's queue, its class's priority, its webinar's fairness key and weight, and the timeouts and
 * retry policy of domain/chime.ts.
 */
import type { ActivityOptions, Duration } from '@temporalio/common';
import {
  CHIME_PAGED_HEARTBEAT,
  CHIME_PAGED_START_TO_CLOSE,
  CHIME_RETRY_POLICY,
  CHIME_SCHEDULE_TO_CLOSE,
  CHIME_START_TO_CLOSE,
} from '../chime';
import { CALL_PRIORITY, type CallClass } from './call-classes';
import { webinarFairnessKey } from './fairness';
import { chimeTaskQueue } from './queues';

export interface ChimeActivityOptionsExtra {
  /** The webinar whose calls these are: its fairness key (webinarFairnessKey). */
  webinarId?: string;
  /** The key's fairness weight (startWeight); unset: the server's default, 1. */
  fairnessWeight?: number;
  /** For listAttendees (many pages in one activity): longer start-to-close and a heartbeat timeout. */
  paged?: boolean;
  /** Overall bound on the retries, default 10 minutes (an operator action may want less). */
  scheduleToCloseTimeout?: Duration;
}

/**
 * Options for `proxyActivities<ChimeActivities>()`: the task queue of the control Region (whose server-side
 * rate limit is the API budget), the class's priority, the webinar's fairness key, timeouts and the retry policy.
 */
export function chimeActivityOptions(
  callClass: CallClass,
  controlRegion?: string,
  extra: ChimeActivityOptionsExtra = {},
): ActivityOptions {
  return {
    taskQueue: chimeTaskQueue(controlRegion),
    priority: {
      priorityKey: CALL_PRIORITY[callClass],
      ...(extra.webinarId !== undefined ? { fairnessKey: webinarFairnessKey(extra.webinarId) } : {}),
      ...(extra.fairnessWeight !== undefined ? { fairnessWeight: extra.fairnessWeight } : {}),
    },
    startToCloseTimeout: extra.paged ? CHIME_PAGED_START_TO_CLOSE : CHIME_START_TO_CLOSE,
    ...(extra.paged ? { heartbeatTimeout: CHIME_PAGED_HEARTBEAT } : {}),
    scheduleToCloseTimeout: extra.scheduleToCloseTimeout ?? CHIME_SCHEDULE_TO_CLOSE,
    retry: CHIME_RETRY_POLICY,
  };
}
