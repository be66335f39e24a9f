/** What the demo's operator does while the webinar is LIVE. */
import type { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarSpec } from '../../domain/types';
import { DemoInterrupted } from './interrupt';
import { DEMO_REGIONS } from './spec';

/** Step 4: while LIVE, what an operator does: promote a replica viewer, mute everyone else, end the webinar. */
export async function operateLive(
  webinars: WebinarClient,
  spec: WebinarSpec,
  say: (t: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const replicaViewer = spec.attendees.find(
    (a) => a.role === 'viewer' && a.region === DEMO_REGIONS.replicas[0],
  );
  const promoted = replicaViewer?.externalUserId ?? 'speaker-1';
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
    say(`        ${name}: ${(await step()).detail}`);
  }
}
