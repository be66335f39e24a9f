/**
 * Generations of meetings. The service ends an idle primary after 5 minutes and any meeting after 24 hours:
 * when the primary is gone, the webinar releases what is left and provisions a new generation (new request
 * tokens, the same roster, promotions restored) instead of running on with dead meetings.
 */
import { log } from '@temporalio/workflow';
import { MEETING_CHECK_INTERVAL_SECONDS } from '../domain/limits';
import type { Webinar } from './context';
import { provisionGeneration } from './provisioning';
import { deleteMeetings } from './teardown';
import { startTranscriptionIfWanted } from './transcription';

/** How often a READY or LIVE webinar asks the service whether its primary meeting still exists. */
export const HEALTH_CHECK_INTERVAL_MS = MEETING_CHECK_INTERVAL_SECONDS * 1000;

/** Asks the service whether the primary meeting still exists (a meeting check). */
export async function primaryStillExists(w: Webinar): Promise<boolean> {
  w.state.meetingsCheckedAt = Date.now();
  const primary = w.primary();
  if (!primary) return true;
  return Boolean(
    await w.chime.bulk.getMeeting({ controlRegion: w.spec.controlRegion, meetingId: primary.meetingId }),
  );
}

/**
 * The service ended the primary: releases what is left and provisions a new generation (transcription again if
 * it was on, or due). Returns 'cancelled' when ending the webinar cancelled the provisioning.
 */
export async function provisionNewGeneration(w: Webinar): Promise<'done' | 'cancelled'> {
  log.warn('Primary meeting ended by the service; provisioning a new generation', {
    webinarId: w.spec.webinarId,
    generation: w.state.generation,
  });
  let wasTranscribing = false;
  await w.chimeLock.run(async () => {
    wasTranscribing = w.state.transcription === 'ON';
    await releaseMeetings(w);
  });
  // Like the first generation, provisioning does not hold the lock (context.ts); ending the webinar cancels it.
  if ((await provisionGeneration(w)) === 'cancelled') return 'cancelled';
  if (wasTranscribing || (w.phase === 'LIVE' && w.state.transcriptionSettings)) {
    await w.chimeLock.run(() => startTranscriptionIfWanted(w));
  }
  return 'done';
}

/** Deletes every meeting of this generation and readies the roster for the next one. Under chimeLock. */
export async function releaseMeetings(w: Webinar): Promise<void> {
  await deleteMeetings(w);
  w.state.generation++;
  w.roster.resetRegistrations();
}
