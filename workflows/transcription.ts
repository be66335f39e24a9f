/**
 * Transcription on the primary meeting: started at go-live (and again on a new generation) when settings are
 * configured, and by the operator actions that start and stop it (their parsers, phases and lock: domain/operator-action-table.ts).
 */
import { isCancellation } from '@temporalio/workflow';
import type { OperatorActionResult, StartTranscriptionArgs } from '../domain/types';
import { toTranscriptionConfiguration } from '../domain/validation/transcription';
import type { ActionBodies } from './action-body';
import type { Webinar } from './context';
import { errorMessage, recordError } from './last-error';
import { reject, requirePrimary } from './rejections';

/** Starts transcription if settings are configured and it is not running; a failure is recorded, not thrown. */
export async function startTranscriptionIfWanted(w: Webinar): Promise<void> {
  const primary = w.primary();
  const settings = w.state.transcriptionSettings;
  if (!primary || !settings || w.state.transcription === 'ON') return;
  try {
    await w.chime.bulk.startMeetingTranscription({
      controlRegion: w.spec.controlRegion,
      meetingId: primary.meetingId,
      transcriptionConfiguration: toTranscriptionConfiguration(settings),
    });
    w.state.transcription = 'ON';
  } catch (err) {
    if (isCancellation(err)) throw err;
    // A webinar goes on without transcription rather than failing; the operator sees why in status.
    recordError(w.state, `transcription could not start: ${errorMessage(err)}`);
  }
}

/** Stops a running transcription before its meetings go; a failure is recorded (the delete ends it anyway). */
export async function stopTranscriptionBeforeDelete(w: Webinar): Promise<void> {
  const primary = w.primary();
  if (primary && w.state.transcription === 'ON') {
    try {
      await w.chime.teardown.stopMeetingTranscription({
        controlRegion: w.spec.controlRegion,
        meetingId: primary.meetingId,
      });
    } catch (err) {
      recordError(w.state, `stopping transcription failed: ${errorMessage(err)}`);
    }
  }
  w.state.transcription = 'OFF';
}

function checkStartTranscription(w: Webinar): void {
  if (w.phase === 'LIVE' && w.state.transcription === 'ON') throw reject('transcription is already ON');
}

async function startTranscription(
  w: Webinar,
  settings: StartTranscriptionArgs,
): Promise<OperatorActionResult> {
  w.state.transcriptionSettings = settings;
  if (w.phase !== 'LIVE') return { ok: true, detail: 'transcription will start when the webinar goes live' };
  const primary = requirePrimary(w);
  await w.chime.operator.startMeetingTranscription({
    controlRegion: w.spec.controlRegion,
    meetingId: primary.meetingId,
    transcriptionConfiguration: toTranscriptionConfiguration(settings),
  });
  w.state.transcription = 'ON';
  return { ok: true, detail: 'transcription started on the primary meeting' };
}

function checkStopTranscription(w: Webinar): void {
  if (w.phase === 'LIVE' && w.state.transcription === 'OFF') throw reject('transcription is not running');
}

async function stopTranscription(w: Webinar): Promise<OperatorActionResult> {
  w.state.transcriptionSettings = undefined;
  if (w.phase !== 'LIVE' || w.state.transcription === 'OFF') {
    return { ok: true, detail: 'transcription will not start when the webinar goes live' };
  }
  const primary = requirePrimary(w);
  await w.chime.operator.stopMeetingTranscription({
    controlRegion: w.spec.controlRegion,
    meetingId: primary.meetingId,
  });
  w.state.transcription = 'OFF';
  return { ok: true, detail: 'transcription stopped' };
}

export const transcriptionActions = {
  startTranscription: { check: checkStartTranscription, run: startTranscription },
  stopTranscription: { check: checkStopTranscription, run: stopTranscription },
} satisfies Partial<ActionBodies>;
