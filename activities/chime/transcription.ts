/**
 * A meeting's transcription: start and stop.
 */
import {
  StartMeetingTranscriptionCommand,
  StopMeetingTranscriptionCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { ChimeActivities } from '../../domain/chime';
import type { ChimeCaller } from './caller';

export type TranscriptionActivities = Pick<
  ChimeActivities,
  'startMeetingTranscription' | 'stopMeetingTranscription'
>;

export function transcriptionActivities({ guarded }: ChimeCaller): TranscriptionActivities {
  return {
    async startMeetingTranscription(input) {
      await guarded(
        'startMeetingTranscription',
        input.controlRegion,
        { meetingId: input.meetingId },
        (c, o) =>
          c.send(
            new StartMeetingTranscriptionCommand({
              MeetingId: input.meetingId,
              TranscriptionConfiguration: input.transcriptionConfiguration,
            }),
            o,
          ),
      );
    },

    async stopMeetingTranscription(input) {
      return guarded<{ stopped: boolean }>(
        'stopMeetingTranscription',
        input.controlRegion,
        { meetingId: input.meetingId },
        async (c, o) => {
          await c.send(new StopMeetingTranscriptionCommand({ MeetingId: input.meetingId }), o);
          return { stopped: true };
        },
        () => ({ stopped: false }),
      );
    },
  };
}
