/**
 * Every Amazon Chime SDK Meetings operation as a Temporal activity, bound to an injected client factory (the
 * dependency-injection pattern of the Temporal TypeScript samples). Each activity makes exactly one API call
 * (listAttendees: one per page), so one activity task on a rate-limited task queue is one unit of API budget.
 * The activities' names are the keys of the object below, and are the activity types workflow histories
 * record: they never change. Each concern's bindings live in chime/; how they call, in chime/caller.ts.
 */
import type { ChimeActivities } from '../domain/chime';
import { attendeeActivities } from './chime/attendees';
import { createChimeCaller, type ChimeActivityDeps } from './chime/caller';
import { capabilityActivities } from './chime/capabilities';
import { meetingActivities } from './chime/meetings';
import { tagActivities } from './chime/tags';
import { transcriptionActivities } from './chime/transcription';

export type { ChimeActivityDeps };

export function createChimeActivities(deps: ChimeActivityDeps): ChimeActivities {
  const caller = createChimeCaller(deps);
  return {
    ...meetingActivities(caller),
    ...attendeeActivities(caller),
    ...capabilityActivities(caller),
    ...transcriptionActivities(caller),
    ...tagActivities(caller),
  };
}
