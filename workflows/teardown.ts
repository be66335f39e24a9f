/**
 * Teardown: on every path out (endAt, an operator's end, failure, cancellation), in a non-cancellable scope and under
 * chimeLock. Deleting the primary deletes its replicas (the service does it, and the emulator too), so a teardown
 * is one DeleteMeeting: teardowns at the top of the hour compete with starts for the same budget. Replicas are
 * deleted one by one only when there is no primary to delete (its creation failed) or when the primary was
 * already gone (NotFound: the service ended it, and these calls cost little against the leak of a replica that
 * outlived it).
 *
 * When DeleteMeeting keeps failing past its schedule-to-close, the webinar does not pretend: it goes to
 * TEARDOWN_FAILED (a phase dashboards can find through the WebinarPhase search attribute), logs an error naming
 * the meetings that may be left, keeps them in `status` (primary, replicas, teardownFailure), keeps the
 * original `lastError`, and waits for an operator's retry (the action table, actions.ts).
 */
import { CancellationScope, condition, log } from '@temporalio/workflow';
import type { Webinar } from './context';
import { errorMessage, recordError } from './last-error';
import { setPhase } from './phase';
import { dropMeeting, type MeetingState } from './state';
import { stopTranscriptionBeforeDelete } from './transcription';

export type FinalPhase = 'ENDED' | 'FAILED' | 'CANCELLED';

export async function deleteMeetings(w: Webinar): Promise<void> {
  await stopTranscriptionBeforeDelete(w);
  await deleteEveryMeeting(w);
  // Whoever was still connected left when the meetings went; later events of these meetings are ignored.
  w.state.attendance.closeWhere(Date.now(), () => true);
}

async function deleteEveryMeeting(w: Webinar): Promise<void> {
  const primary = w.primary();
  if (primary && (await deleteMeeting(w, primary))) {
    // Its replicas went with it.
    w.state.meetings = [];
    return;
  }
  await Promise.all(w.state.meetings.map((m) => deleteMeeting(w, m)));
}

/** Whether the service deleted it (false: it was already gone). */
async function deleteMeeting(w: Webinar, meeting: MeetingState): Promise<boolean> {
  const { deleted } = await w.chime.teardown.deleteMeeting({
    controlRegion: w.spec.controlRegion,
    meetingId: meeting.meetingId,
  });
  dropMeeting(w.state, meeting.key);
  return deleted;
}

export async function teardown(w: Webinar, finalPhase: FinalPhase): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    for (;;) {
      setPhase(w, 'TEARING_DOWN');
      const failure = await w.chimeLock.run(async () => {
        try {
          await deleteMeetings(w);
          return undefined;
        } catch (err) {
          return err;
        }
      });
      if (failure === undefined) break;
      recordTeardownFailure(w, failure, finalPhase);
      const asked = w.local.teardownRetries;
      await condition(() => w.local.teardownRetries !== asked);
    }
    w.state.teardownFailure = undefined;
  });
  setPhase(w, finalPhase);
}

function recordTeardownFailure(w: Webinar, err: unknown, finalPhase: FinalPhase): void {
  const error = `teardown: ${errorMessage(err)}`;
  const attempts = (w.state.teardownFailure?.attempts ?? 0) + 1;
  w.state.teardownFailure = { error, attempts, finalPhase, at: new Date(Date.now()).toISOString() };
  // The webinar's own error (why it failed) stays; the teardown's is only the lastError of a clean ending.
  recordError(w.state, error, 'unless-set');
  setPhase(w, 'TEARDOWN_FAILED');
  log.error('Teardown failed: meetings may be left; an operator can retry with retryTeardown', {
    webinarId: w.spec.webinarId,
    generation: w.state.generation,
    attempts,
    meetingsLeft: w.state.meetings.map((m) => m.meetingId),
    error,
  });
}
