/** CreateMeeting, CreateMeetingWithAttendees, GetMeeting and DeleteMeeting. */
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, limitExceeded } from '../errors';
import { checkCapabilities, checkTags, partition, type MeetingFeatures, type Tag } from '../rules';
import { mediaPlacement, meetingOut, type MeetingRecord } from '../store/records';
import { seatAttendees, type AttendeeItem } from './attendees';
import type { Input, Operation, OperationContext } from './context';

/** The primary a new replica names: live, of this control Region, itself a primary, with a free slot. */
function primaryFor(ctx: OperationContext, region: string, primaryId: string): MeetingRecord {
  const primary = ctx.store.get(primaryId);
  if (!primary || primary.controlRegion !== region) {
    throw badRequest(`PrimaryMeetingId ${primaryId} does not name a live meeting in ${region}`);
  }
  if (primary.primaryMeetingId !== undefined) {
    throw badRequest(`Meeting ${primaryId} is a replica; a replica cannot be a primary meeting`);
  }
  const max = ctx.config.limits.replicasPerPrimary;
  if (primary.replicas.size >= max) {
    throw limitExceeded(`Meeting ${primaryId} already has the maximum of ${max} replicas`);
  }
  return primary;
}

type Notifications = NonNullable<MeetingRecord['notifications']>;

const NOTIFICATION_TARGETS: Array<[keyof Notifications, string, RegExp]> = [
  ['SqsQueueArn', 'sqs', /^arn:(aws|aws-us-gov|aws-cn):sqs:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]{1,80}$/],
  ['SnsTopicArn', 'sns', /^arn:(aws|aws-us-gov|aws-cn):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]{1,256}$/],
  ['LambdaFunctionArn', 'lambda', /^arn:(aws|aws-us-gov|aws-cn):lambda:([a-z0-9-]+):(\d{12}):function:.+$/],
];

/**
 * NotificationsConfiguration: each ARN must be one of its service, in the control Region (the service
 * documents that the queue or topic must be in the Region of the API endpoint), else BadRequest. A well-formed
 * queue ARN that names no queue of this emulator is accepted, and its events dropped: the service cannot know
 * at creation whether the queue's policy will let it deliver, and delivery is best effort.
 */
function notificationsOf(region: string, input: Input): Notifications | undefined {
  const raw = input.NotificationsConfiguration as Notifications | undefined;
  if (!raw) return undefined;
  const out: Notifications = {};
  for (const [field, service, pattern] of NOTIFICATION_TARGETS) {
    const arn = raw[field];
    if (arn === undefined) continue;
    const m = pattern.exec(arn);
    if (!m) throw badRequest(`NotificationsConfiguration.${field} is not the ARN of an ${service} resource`);
    if (m[2] !== region) {
      throw badRequest(
        `NotificationsConfiguration.${field} must be in the control Region ${region}, not ${String(m[2])}`,
      );
    }
    out[field] = arn;
  }
  return out;
}

/** Idempotent on ClientRequestToken while the token's meeting is live; a reuse must match its parameters. */
function findOrCreateMeeting(ctx: OperationContext, region: string, input: Input): MeetingRecord {
  const tags = input.Tags as Tag[] | undefined;
  checkTags(tags);
  const notifications = notificationsOf(region, input);
  const primaryId = input.PrimaryMeetingId as string | undefined;
  const tokenKey = `${region}\n${input.ClientRequestToken as string}`;
  const fingerprint = JSON.stringify([input.MediaRegion, input.ExternalMeetingId, primaryId ?? null]);
  const existing = ctx.store.byTokenKey(tokenKey);
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      throw new ApiError(
        'ConflictException',
        'ClientRequestToken was already used for a meeting with different MediaRegion, ExternalMeetingId or PrimaryMeetingId',
      );
    }
    return existing;
  }
  if (primaryId !== undefined) primaryFor(ctx, region, primaryId);
  const { concurrentMeetings } = ctx.config.limits;
  if (ctx.store.liveIn(region) >= concurrentMeetings) {
    throw limitExceeded(`The limit of ${concurrentMeetings} concurrent meetings in ${region} is reached`);
  }
  const meetingId = randomUUID();
  const now = ctx.clock.now();
  const mediaRegion = input.MediaRegion as string;
  const m: MeetingRecord = {
    meetingId,
    controlRegion: region,
    arn: `arn:${partition(region)}:chime:${region}:${ctx.config.accountId}:meeting/${meetingId}`,
    mediaRegion,
    externalMeetingId: input.ExternalMeetingId as string,
    meetingHostId: input.MeetingHostId as string | undefined,
    features: input.MeetingFeatures as MeetingFeatures | undefined,
    primaryMeetingId: primaryId,
    tenantIds: input.TenantIds as string[] | undefined,
    mediaPlacement: mediaPlacement(meetingId, mediaRegion),
    tokenKey,
    fingerprint,
    createdAt: now,
    idleSince: now,
    attendees: new Map(),
    byExternalUserId: new Map(),
    connected: new Set(),
    replicas: new Set(),
    tags: new Map((tags ?? []).map((t) => [t.Key, t.Value])),
    nextSeq: 1,
    notifications,
    started: false,
  };
  ctx.store.addMeeting(m);
  return m;
}

export const createMeeting: Operation = (ctx, region, input) => ({
  Meeting: meetingOut(findOrCreateMeeting(ctx, region, input)),
});

export const createMeetingWithAttendees: Operation = (ctx, region, input) => {
  const items = input.Attendees as AttendeeItem[];
  const features = input.MeetingFeatures as MeetingFeatures | undefined;
  for (const item of items) checkCapabilities(item.Capabilities, features);
  const m = findOrCreateMeeting(ctx, region, input);
  const { attendees, errors } = seatAttendees(ctx, m, items);
  return { Meeting: meetingOut(m), Attendees: attendees, Errors: errors };
};

export const getMeeting: Operation = (ctx, region, input) => ({
  Meeting: meetingOut(ctx.store.meeting(region, input.MeetingId as string)),
});

export const deleteMeeting: Operation = (ctx, region, input) => {
  ctx.store.endMeeting(ctx.store.meeting(region, input.MeetingId as string));
  return undefined;
};
