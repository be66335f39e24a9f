/** What the demo's operator does while the webinar is LIVE. */
import type { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarSpec } from '../../domain/types';
import { DemoInterrupted } from './interrupt';
import { DEMO_REGIONS } from './spec';

/** The viewer the operator promotes: the first of the first replica's Region. */
export function promotedViewer(spec: WebinarSpec): string {
  const replicaViewer = spec.attendees.find(
    (a) => a.role === 'viewer' && a.region === DEMO_REGIONS.replicas[0],
  );
  return replicaViewer?.externalUserId ?? 'speaker-1';
}

/**
 * Step 4: while LIVE, what an operator does: promote a replica viewer, mute everyone else, end the webinar.
 * `beforeEnd` runs once the viewer is on stage, before the end.
 */
export async function operateLive(
  webinars: WebinarClient,
  spec: WebinarSpec,
  say: (t: string) => void,
  signal: AbortSignal | undefined,
  beforeEnd: () => Promise<void> = async () => undefined,
): Promise<void> {
  const promoted = promotedViewer(spec);
  const steps: [string, () => Promise<{ detail: string }>][] = [
    [
      `promoteSpeaker ${promoted}`,
      () => webinars.action(spec.webinarId, 'promoteSpeaker', { externalUserId: promoted }),
    ],
    [
      `muteAllExcept host-1, ${promoted}`,
      () => webinars.action(spec.webinarId, 'muteAllExcept', { externalUserIds: ['host-1', promoted] }),
    ],
    ['endWebinar', () => webinars.action(spec.webinarId, 'endWebinar', { reason: 'demo finished' })],
  ];
  for (const [name, step] of steps) {
    if (signal?.aborted) throw new DemoInterrupted();
    if (name === 'endWebinar') await beforeEnd();
    say(`        ${name}: ${(await step()).detail}`);
  }
}
