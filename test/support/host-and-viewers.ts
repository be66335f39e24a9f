/**
 * The webinar the process-level suites (chaos, cluster) run: one host and viewers of whom every other one asks
 * for the replica Region, going live shortly and lasting an hour.
 */
import type { WebinarSpec } from '../../domain/types';
import { webinarSpec } from './webinar-stack';

/** `attendees` in all: host-1, then viewers v-0, v-1, ... (the odd ones in eu-west-1); live `startInMs` from now. */
export function hostAndViewersSpec(
  prefix: string,
  attendees: number,
  startInMs: number,
  provisionLeadSeconds: number,
): WebinarSpec {
  const now = Date.now();
  return webinarSpec(now, {
    webinarId: `${prefix}-${Math.random().toString(36).slice(2, 8)}`,
    startAt: new Date(now + startInMs).toISOString(),
    endAt: new Date(now + 3600_000).toISOString(),
    provisionLeadSeconds,
    replicaRegions: ['eu-west-1'],
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      ...Array.from({ length: attendees - 1 }, (_, i) => ({
        externalUserId: `v-${i}`,
        role: 'viewer' as const,
        region: i % 2 ? 'eu-west-1' : undefined,
      })),
    ],
  });
}
