/** The bodies of the operator actions on the roster (their parsers, phases and lock: domain/operator-action-table.ts). */
import { planSeats, seatOptions } from '../domain/seats';
import type { AddAttendeesArgs, OperatorActionResult, RemoveAttendeeArgs } from '../domain/types';
import type { ActionBodies } from './action-body';
import type { Webinar } from './context';
import { registerPending } from './provisioning';
import { reject, rejectAttendee, requireAttendee } from './rejections';
import { meetingOf } from './state';

function checkAddAttendees(w: Webinar, { attendees }: AddAttendeesArgs): void {
  for (const [i, a] of attendees.entries()) {
    const existing = w.roster.get(a.externalUserId);
    if (existing && existing.state !== 'removed') {
      throw rejectAttendee(w, `attendees[${i}].externalUserId`, a.externalUserId, 'is already an attendee');
    }
  }
  const after = [
    ...w.roster.active().map((e) => ({ externalUserId: e.externalUserId, role: e.role, region: e.region })),
    ...attendees,
  ];
  const fits = planSeats(
    { primaryRegion: w.spec.primaryRegion, replicaRegions: w.spec.replicaRegions, attendees: after },
    seatOptions(w.spec),
  );
  if (!fits.ok) throw reject(fits.message);
}

async function addAttendees(w: Webinar, { attendees }: AddAttendeesArgs): Promise<OperatorActionResult> {
  w.roster.add(attendees);
  // A generation being provisioned seats them in its next round (the lock policy in context.ts).
  if (w.phase === 'SCHEDULED' || w.phase === 'PROVISIONING' || w.local.provisioning) {
    return { ok: true, detail: `${attendees.length} attendee(s) queued for provisioning` };
  }
  await w.chimeLock.run(() => registerPending(w));
  const failures = attendees.flatMap((a) => {
    const entry = w.roster.get(a.externalUserId);
    return entry?.state === 'failed' ? [entry.error ?? 'unknown'] : [];
  });
  const failed = failures.length;
  const reasons = [...new Set(failures)].join(', ');
  return {
    ok: true,
    detail: `${attendees.length - failed} attendee(s) registered${failed ? `, ${failed} failed (${reasons})` : ''}`,
  };
}

function checkRemoveAttendee(w: Webinar, { externalUserId }: RemoveAttendeeArgs): void {
  const entry = requireAttendee(w, externalUserId);
  if (w.phase === 'PROVISIONING' && entry.state === 'pending') {
    throw rejectAttendee(w, 'attendee', externalUserId, 'is being registered; remove it once READY');
  }
}

async function removeAttendee(
  w: Webinar,
  { externalUserId }: RemoveAttendeeArgs,
): Promise<OperatorActionResult> {
  const entry = requireAttendee(w, externalUserId);
  const primary = w.primary();
  if (entry.promotedAttendeeId && primary) {
    await w.chime.operator.deleteAttendee({
      controlRegion: w.spec.controlRegion,
      meetingId: primary.meetingId,
      attendeeId: entry.promotedAttendeeId,
    });
  }
  const meeting = entry.meeting ? meetingOf(w.state, entry.meeting) : undefined;
  if (entry.attendeeId && meeting) {
    await w.chime.operator.deleteAttendee({
      controlRegion: w.spec.controlRegion,
      meetingId: meeting.meetingId,
      attendeeId: entry.attendeeId,
    });
  }
  const who = w.roster.ref(externalUserId) ?? 'the attendee';
  w.roster.removed(externalUserId);
  return { ok: true, detail: `${who} removed` };
}

export const rosterActions = {
  addAttendees: { check: checkAddAttendees, run: addAttendees },
  removeAttendee: { check: checkRemoveAttendee, run: removeAttendee },
} satisfies Partial<ActionBodies>;
