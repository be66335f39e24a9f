/**
 * What every part of the webinar workflow works on: the spec (the run's immutable configuration), the one state
 * object (everything carried across continue-as-new, state.ts), what this run keeps for itself (run-local.ts),
 * the Chime calls (chime-calls.ts), and the one lock.
 *
 * Lock policy (the only one; docs/workflow.md): `chimeLock` orders the Chime calls that act on meetings and
 * attendees already in place: every operator action that calls Chime, the registration of late attendees,
 * transcription, releasing a generation and the teardown. Provisioning a generation (the first, or a new one
 * after the service ended the primary) does not hold it: it creates meetings no action can name yet and
 * registers attendees batch by batch, and a registered attendee is usable by actions at once. While a
 * generation is being provisioned, late attendees queue for it and muting everyone is refused.
 */
import type { WebinarPhase } from '../domain/phases';
import type { NormalizedWebinarSpec } from '../domain/validation/spec';
import { ChimeCalls } from './chime-calls';
import { Mutex } from './concurrency';
import { newRunLocal, type RunLocal } from './run-local';
import { meetingOf, type MeetingState, type WebinarState } from './state';

export class Webinar {
  readonly chimeLock = new Mutex();
  readonly local: RunLocal = newRunLocal();
  readonly chime: ChimeCalls;

  constructor(
    readonly spec: NormalizedWebinarSpec,
    readonly state: WebinarState,
  ) {
    this.chime = new ChimeCalls(spec, state);
  }

  get roster(): WebinarState['roster'] {
    return this.state.roster;
  }

  get phase(): WebinarPhase {
    return this.state.phase;
  }

  primary(): MeetingState | undefined {
    return meetingOf(this.state, 'primary');
  }
}
