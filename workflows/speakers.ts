/** The bodies of the operator actions on who sends media (their parsers, phases and lock: domain/operator-action-table.ts). */
import { attendeeCapabilities } from '../domain/capabilities';
import type { MuteAllExceptArgs, OperatorActionResult, SpeakerArgs } from '../domain/types';
import { attendeesPerMeeting } from '../domain/validation/meeting-features';
import type { ActionBodies } from './action-body';
import type { Webinar } from './context';
import { reject, requireAttendee, requirePrimary, requireRegistered } from './rejections';
import { meetingOf } from './state';

function name(w: Webinar, externalUserId: string): string {
  return w.roster.ref(externalUserId) ?? 'the attendee';
}

/** Why a replica viewer cannot be promoted: the primary has no seat for its presenter credentials. */
function primaryFullForPromotion(w: Webinar, seats: number, limit: number): string {
  const promoted = w.roster.active().filter((e) => e.promotedAttendeeId).length;
  return (
    `the primary meeting is full (${seats} of ${limit} seats): its promotion reserve of ` +
    `${w.spec.promotionReserve} seats is used up (${promoted} replica viewers promoted); demote a speaker ` +
    'to free a seat, and raise promotionReserve in the input of webinars that need more'
  );
}

function checkPromote(w: Webinar, { externalUserId }: SpeakerArgs): void {
  const entry = requireRegistered(w, externalUserId);
  if (!entry.speaking && entry.meeting !== 'primary') {
    const seats = w.roster.seatsTaken('primary');
    const limit = attendeesPerMeeting(w.spec.meetingFeatures);
    if (seats >= limit) throw reject(primaryFullForPromotion(w, seats, limit));
  }
}

async function promote(w: Webinar, { externalUserId }: SpeakerArgs): Promise<OperatorActionResult> {
  const entry = requireRegistered(w, externalUserId);
  const who = name(w, externalUserId);
  if (entry.speaking) return { ok: true, detail: `${who} is already a speaker` };
  const primary = requirePrimary(w);
  const capabilities = attendeeCapabilities('speaker', w.spec.meetingFeatures);
  if (entry.meeting === 'primary') {
    await w.chime.operator.updateAttendeeCapabilities({
      controlRegion: w.spec.controlRegion,
      meetingId: primary.meetingId,
      attendeeId: entry.attendeeId ?? '',
      capabilities,
    });
    w.roster.promoted(externalUserId);
    return { ok: true, detail: `${who} can now send audio, video and content in the primary meeting` };
  }
  const created = await w.chime.operator.createAttendee({
    controlRegion: w.spec.controlRegion,
    meetingId: primary.meetingId,
    externalUserId,
    capabilities,
  });
  w.roster.promoted(externalUserId, created.attendeeId);
  return { ok: true, detail: `${who} has speaker credentials in the primary meeting` };
}

function checkDemote(w: Webinar, { externalUserId }: SpeakerArgs): void {
  requireRegistered(w, externalUserId);
}

async function demote(w: Webinar, { externalUserId }: SpeakerArgs): Promise<OperatorActionResult> {
  const entry = requireRegistered(w, externalUserId);
  const who = name(w, externalUserId);
  if (!entry.speaking) return { ok: true, detail: `${who} is not a speaker` };
  const primary = requirePrimary(w);
  if (entry.promotedAttendeeId) {
    await w.chime.operator.deleteAttendee({
      controlRegion: w.spec.controlRegion,
      meetingId: primary.meetingId,
      attendeeId: entry.promotedAttendeeId,
    });
  } else {
    const meeting = entry.meeting ? meetingOf(w.state, entry.meeting) : undefined;
    await w.chime.operator.updateAttendeeCapabilities({
      controlRegion: w.spec.controlRegion,
      meetingId: (meeting ?? primary).meetingId,
      attendeeId: entry.attendeeId ?? '',
      capabilities: attendeeCapabilities('viewer', w.spec.meetingFeatures),
    });
  }
  w.roster.demoted(externalUserId);
  return { ok: true, detail: `${who} is receive-only again` };
}

function checkMuteAllExcept(w: Webinar, { externalUserIds }: MuteAllExceptArgs): void {
  // Batches in flight would register attendees with their old capabilities.
  if (w.local.provisioning) throw reject('attendees are being registered; try again in a moment');
  for (const [i, id] of externalUserIds.entries()) requireAttendee(w, id, `externalUserIds[${i}]`);
}

/**
 * Everyone but the named attendees becomes receive-only. BatchUpdateAttendeeCapabilitiesExcept needs at least
 * one excluded attendee, so a meeting where none of them sits is handled per speaker (in the primary) or left
 * alone (a replica's viewers only receive).
 */
async function muteAllExcept(
  w: Webinar,
  { externalUserIds }: MuteAllExceptArgs,
): Promise<OperatorActionResult> {
  const keep = new Set(externalUserIds);
  const receiveOnly = attendeeCapabilities('viewer', w.spec.meetingFeatures);
  let calls = 0;
  for (const meeting of w.state.meetings) {
    const excluded: string[] = [];
    for (const id of keep) {
      const entry = w.roster.get(id);
      if (!entry || entry.state === 'removed') continue;
      if (entry.meeting === meeting.key && entry.attendeeId && entry.state === 'registered') {
        excluded.push(entry.attendeeId);
      }
      if (meeting.key === 'primary' && entry.promotedAttendeeId) excluded.push(entry.promotedAttendeeId);
    }
    if (excluded.length > 0) {
      await w.chime.operator.batchUpdateAttendeeCapabilitiesExcept({
        controlRegion: w.spec.controlRegion,
        meetingId: meeting.meetingId,
        excludedAttendeeIds: excluded,
        capabilities: receiveOnly,
      });
      calls++;
    } else if (meeting.key === 'primary') {
      for (const entry of w.roster.active()) {
        if (!entry.speaking) continue;
        const attendeeId =
          entry.meeting === 'primary' ? entry.attendeeId : (entry.promotedAttendeeId ?? undefined);
        if (!attendeeId) continue;
        await w.chime.operator.updateAttendeeCapabilities({
          controlRegion: w.spec.controlRegion,
          meetingId: meeting.meetingId,
          attendeeId,
          capabilities: receiveOnly,
        });
        calls++;
      }
    }
  }
  for (const entry of w.roster.active()) {
    if (!keep.has(entry.externalUserId)) w.roster.silenced(entry.externalUserId);
  }
  return { ok: true, detail: `muted everyone but ${keep.size} attendee(s) with ${calls} call(s)` };
}

export const speakerActions = {
  promoteSpeaker: { check: checkPromote, run: promote },
  demoteSpeaker: { check: checkDemote, run: demote },
  muteAllExcept: { check: checkMuteAllExcept, run: muteAllExcept },
} satisfies Partial<ActionBodies>;
