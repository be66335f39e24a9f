/** The demo's webinar: three Regions, a roster of one host, two speakers and viewers, a start a few seconds ahead. */
import type { AttendeeSpec, WebinarSpec } from '../../domain/types';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE } from '../../domain/limits';

export const DEMO_REGIONS = { primary: 'us-east-1', replicas: ['eu-west-1', 'ap-southeast-1'] } as const;
export const PROVISION_LEAD_SECONDS = 5;
export const START_IN_MS = 8_000;

/** The demo roster: one host and two speakers in the primary's Region, viewers spread over the three Regions. */
export function demoRoster(count: number): AttendeeSpec[] {
  const regions = [DEMO_REGIONS.primary, ...DEMO_REGIONS.replicas];
  return Array.from({ length: count }, (_, i): AttendeeSpec => {
    if (i === 0) return { externalUserId: 'host-1', role: 'host', region: DEMO_REGIONS.primary };
    if (i <= 2) return { externalUserId: `speaker-${i}`, role: 'speaker', region: DEMO_REGIONS.primary };
    return { externalUserId: `viewer-${i}`, role: 'viewer', region: regions[i % regions.length] };
  });
}

export function demoSpec(attendees: number, now = Date.now()): WebinarSpec {
  const meetings = Math.ceil((attendees + DEFAULT_PROMOTION_RESERVE) / ATTENDEES_PER_MEETING);
  return {
    webinarId: `demo-${now.toString(36)}`,
    title: 'Chime webinar orchestrator demo',
    startAt: new Date(now + START_IN_MS).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    primaryRegion: DEMO_REGIONS.primary,
    replicaRegions: [...DEMO_REGIONS.replicas],
    attendees: demoRoster(attendees),
    provisionLeadSeconds: PROVISION_LEAD_SECONDS,
    // Room for the roster and the primary's promotion reserve; the default quota of 4 replicas seats 1,250.
    maxReplicas: Math.min(40, Math.max(4, meetings)),
  };
}
