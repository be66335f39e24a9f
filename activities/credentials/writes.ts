/**
 * What the Chime activities do with the credential store: after the service answered and before the activity
 * returns (so before the workflow counts an attendee registered), write what it returned; after a deletion,
 * delete the rows. Writes are upserts, so a retried or re-run activity writes the same rows again. A store
 * failure fails the activity (retryable, with a fixed message: a driver's error text never reaches history).
 * The webinar comes from the activity's workflow ID, so the activities' inputs are unchanged.
 */
import type { Attendee, AttendeeCapabilities, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { webinarIdOfWorkflow, type CapabilityTarget, type CredentialStore } from '../../domain/credentials';

export const STORE_FAILURE_TYPE = 'CredentialStoreUnavailable';

function webinarOfActivity(): string | undefined {
  let workflowId: string | undefined;
  try {
    workflowId = Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
  return workflowId ? webinarIdOfWorkflow(workflowId) : undefined;
}

async function guardedStore<T>(what: string, logger: Logger | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const kind = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'unknown';
    logger?.warn(`credential store: ${what} failed`, { errorKind: kind });
    throw ApplicationFailure.create({
      message: `credential store: ${what} failed (${kind})`,
      type: STORE_FAILURE_TYPE,
      nonRetryable: false,
    });
  }
}

export interface CredentialWrites {
  meetingCreated(meeting: Meeting | undefined): Promise<void>;
  attendeesCreated(meetingId: string, attendees: Attendee[] | undefined): Promise<void>;
  capabilitiesUpdated(
    meetingId: string,
    attendees: CapabilityTarget,
    capabilities: AttendeeCapabilities | undefined,
  ): Promise<void>;
  attendeeDeleted(meetingId: string, attendeeId: string): Promise<void>;
  meetingDeleted(meetingId: string): Promise<void>;
}

/** Without a store (or outside a workflow's activity) every write is a no-op. */
export function credentialWrites(
  store: CredentialStore | undefined,
  logger: () => Logger | undefined,
): CredentialWrites {
  const webinar = (): string | undefined => (store ? webinarOfActivity() : undefined);
  return {
    async meetingCreated(meeting) {
      const webinarId = webinar();
      if (!store || webinarId === undefined || !meeting?.MeetingId) return;
      await guardedStore('storing a meeting', logger(), () => store.putMeeting(webinarId, meeting));
    },
    async attendeesCreated(meetingId, attendees) {
      const webinarId = webinar();
      if (!store || webinarId === undefined || !attendees?.length) return;
      const written = await guardedStore('storing attendees', logger(), () =>
        store.putAttendees(webinarId, meetingId, attendees),
      );
      if (written === 0) {
        // Deleted meanwhile, or created before the store existed: nothing to join, so nothing to keep.
        logger()?.warn('credential store: the meeting is not stored; its attendees were not', {
          meetingId,
          attendees: attendees.length,
        });
      }
    },
    async capabilitiesUpdated(meetingId, attendees, capabilities) {
      if (!store || !capabilities) return;
      await guardedStore('updating capabilities', logger(), () =>
        store.setCapabilities(meetingId, attendees, capabilities),
      );
    },
    async attendeeDeleted(meetingId, attendeeId) {
      if (!store) return;
      await guardedStore('deleting an attendee', logger(), () => store.deleteAttendee(meetingId, attendeeId));
    },
    async meetingDeleted(meetingId) {
      if (!store) return;
      await guardedStore('deleting a meeting', logger(), () => store.deleteMeeting(meetingId));
    },
  };
}
