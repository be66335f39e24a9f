/**
 * The webinars the benchmarks schedule: their Regions, rosters and specs, and how a benchmark ends them.
 */
import type { AttendeeSpec, WebinarSpec } from '../../domain/types';
import { sendOperatorAction, type WebinarHandle } from '../../client/library/operator-actions';

export const CONTROL_REGION = 'us-east-1';
export const PRIMARY_REGION = 'us-east-1';
/** Viewers are spread over these replica Regions (round robin). */
export const REPLICA_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];

/** 1 host, 4 speakers, the rest viewers spread round robin over REPLICA_REGIONS. */
export function roster(total: number, prefix = 'u'): AttendeeSpec[] {
  const out: AttendeeSpec[] = [{ externalUserId: `${prefix}-host`, role: 'host' }];
  for (let i = 0; i < 4 && out.length < total; i++)
    out.push({ externalUserId: `${prefix}-speaker-${i}`, role: 'speaker' });
  for (let i = 0; out.length < total; i++) {
    out.push({
      externalUserId: `${prefix}-viewer-${i}`,
      role: 'viewer',
      region: REPLICA_REGIONS[i % REPLICA_REGIONS.length],
    });
  }
  return out;
}

/** A webinar of a storm: the given start and lead, viewers over REPLICA_REGIONS, up to 40 replicas. */
export function stormSpec(
  webinarId: string,
  attendees: AttendeeSpec[],
  startAt: number,
  leadSeconds: number,
): WebinarSpec {
  return {
    webinarId,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(startAt + 3_600_000).toISOString(),
    primaryRegion: PRIMARY_REGION,
    replicaRegions: REPLICA_REGIONS,
    attendees,
    provisionLeadSeconds: leadSeconds,
    maxReplicas: 40,
  };
}

/** Lead before the start at which provisioning begins: long enough that READY lasts through a benchmark. */
export const PROVISION_LEAD_SECONDS = 200;

/** A webinar that starts provisioning `inMs` after now and stays READY for PROVISION_LEAD_SECONDS after that. */
export function soonSpec(webinarId: string, attendees: AttendeeSpec[], inMs = 1_500): WebinarSpec {
  const now = Date.now();
  return {
    ...stormSpec(webinarId, attendees, now + inMs + PROVISION_LEAD_SECONDS * 1000, PROVISION_LEAD_SECONDS),
    endAt: new Date(now + 3_600_000).toISOString(),
  };
}

/** Ends each webinar as an operator would (its endWebinar Update) and waits until its workflow has finished. */
export async function finishWebinars(handles: WebinarHandle[]): Promise<void> {
  await Promise.all(
    handles.map(async (h) => {
      await sendOperatorAction(h, 'endWebinar', { reason: 'benchmark done' });
      await h.result();
    }),
  );
}
