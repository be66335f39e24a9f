/** Ctrl-C in the demo: what it throws, the exit code it ends with, and the webinar it cancels first. */
import type { WebinarClient } from '../../client/library/webinar-client';

/** Ctrl-C (or the caller's AbortSignal): the demo stops what it started and exits 130. */
export class DemoInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export const EXIT_INTERRUPTED = 130;

/** After Ctrl-C: cancel the webinar so its workflow tears its meetings down while the worker still runs. */
export async function cancelWebinar(
  webinars: WebinarClient,
  webinarId: string,
  err: (t: string) => void,
): Promise<void> {
  try {
    await webinars.cancel(webinarId);
    await Promise.race([
      webinars.result(webinarId).catch(() => undefined),
      new Promise((r) => setTimeout(r, 15_000)),
    ]);
    err(`Cancelled webinar ${webinarId}: its meetings were torn down\n`);
  } catch (e) {
    err(`Could not cancel webinar ${webinarId}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
