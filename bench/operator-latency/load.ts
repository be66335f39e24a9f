/**
 * The load the operator is measured under: webinars that only provision, started one by one, and a watch that
 * says while any of them is still provisioning.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { webinarWorkflow } from '../../workflows';
import type { WebinarSpec } from '../../domain/types';
import { waitForStatus } from '../support/polling';

export type Handle = WorkflowHandle<typeof webinarWorkflow>;

/**
 * Starts `count` load webinars and returns once every one is registering (its meetings exist): from then on the
 * queue is saturated and samples count.
 */
export async function startLoad(
  stack: { start(spec: WebinarSpec): Promise<Handle> },
  count: number,
  specOf: (i: number) => WebinarSpec,
): Promise<Handle[]> {
  const handles: Handle[] = [];
  for (let i = 0; i < count; i++) {
    handles.push(
      await stack.start({
        ...specOf(i),
        // The load only provisions (nobody is promoted in it): no reserve, so 10,250 stays its full size.
        promotionReserve: 0,
      }),
    );
  }
  await Promise.all(
    handles.map((h) =>
      // A small webinar can pass PROVISIONING between two polls: READY counts as past it.
      waitForStatus(h, (s) => (s.phase === 'PROVISIONING' && s.primary !== null) || s.phase === 'READY'),
    ),
  );
  return handles;
}

export interface LoadWatch {
  /** True while any load webinar is not yet READY. */
  loading: () => boolean;
  /** Every load webinar READY. */
  allReady: Promise<void>;
  /** When the last one was seen READY (performance.now()), once it was. */
  endedAt: () => number | undefined;
}

/** Watches the load from now on. */
export function watchLoad(handles: Handle[]): LoadWatch {
  let ready = 0;
  let ended: number | undefined;
  const allReady = Promise.all(
    handles.map(async (h) => {
      await waitForStatus(h, (s) => s.phase === 'READY', 300_000, 200);
      ready++;
      if (ready === handles.length) ended = performance.now();
    }),
  ).then(() => undefined);
  return { loading: () => ready < handles.length, allReady, endedAt: () => ended };
}
