/** StartMeetingTranscription and StopMeetingTranscription. */
import { ApiError, badRequest } from '../errors';
import { checkTranscription } from '../rules';
import type { MeetingRecord } from '../store/records';
import type { Input, Operation } from './context';

/** Emulator choice: transcription runs on the primary, whose media the replicas carry. */
function requirePrimary(m: MeetingRecord): void {
  if (m.primaryMeetingId !== undefined) {
    throw new ApiError(
      'UnprocessableEntityException',
      `Meeting ${m.meetingId} is a replica of ${m.primaryMeetingId}; transcription is controlled on the primary`,
    );
  }
}

export const startMeetingTranscription: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  const config = input.TranscriptionConfiguration as Input;
  checkTranscription(config);
  requirePrimary(m);
  if (m.transcription) throw badRequest(`Transcription is already started for meeting ${m.meetingId}`);
  m.transcription = structuredClone(config);
  return undefined;
};

export const stopMeetingTranscription: Operation = (ctx, region, input) => {
  const m = ctx.store.meeting(region, input.MeetingId as string);
  requirePrimary(m);
  m.transcription = undefined;
  return undefined;
};
