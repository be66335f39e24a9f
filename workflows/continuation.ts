/**
 * When a run hands its state to a new one. At the end of provisioning, when registering the roster made the
 * history long: operators act on a READY webinar, and a continue-as-new then would hold their actions while the
 * largest state is carried over, so continuing before READY gives the live webinar a fresh history. Later, when
 * the server suggests it: once operators pause (an Update that meets the hand-over waits for the new run's first
 * task), unless the history has grown to twice the length the suggestion came at.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { Webinar } from './context';

/** The server's defaults for suggesting continue-as-new (limit.historySize / limit.historyCount.suggestContinueAsNew). */
export const SERVER_SUGGESTS_CONTINUE_AS_NEW = { bytes: 4 * 1024 * 1024, events: 4 * 1024 };

/** Whether provisioning left the history past half the server's defaults, or the server already suggests it. */
export function provisioningOutgrewHistory(): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historySize >= SERVER_SUGGESTS_CONTINUE_AS_NEW.bytes / 2 ||
    info.historyLength >= SERVER_SUGGESTS_CONTINUE_AS_NEW.events / 2
  );
}

/** How long operators must have been still before a suggested continue-as-new goes ahead. */
export const OPERATORS_PAUSE_MS = 5_000;

/** Whether the history has grown to twice what it was when the server suggested continuing (or further). */
function cannotWaitLonger(suggestedAt: { length: number; size: number }): boolean {
  const info = workflowInfo();
  return info.historyLength >= 2 * suggestedAt.length || info.historySize >= 2 * suggestedAt.size;
}

export interface HandOverWatch {
  /** Whether the run should continue as new now. */
  due(): boolean;
  stop(): Promise<void>;
}

/**
 * Watches for the moment to continue as new while the webinar waits: the server suggests it, no operator action
 * is in flight and none started for OPERATORS_PAUSE_MS (a timer, not a clock read), or the history cannot wait
 * longer.
 */
export function watchHandOver(w: Webinar): HandOverWatch {
  let due = false;
  const scope = new CancellationScope();
  const watching = scope
    .run(async () => {
      await condition(() => workflowInfo().continueAsNewSuggested);
      const info = workflowInfo();
      const suggestedAt = { length: info.historyLength, size: info.historySize };
      for (;;) {
        await condition(() => allHandlersFinished() || cannotWaitLonger(suggestedAt));
        if (cannotWaitLonger(suggestedAt)) break;
        const seen = w.local.operatorActions;
        const interrupted = await condition(
          () => w.local.operatorActions !== seen || cannotWaitLonger(suggestedAt),
          OPERATORS_PAUSE_MS,
        );
        if (!interrupted || cannotWaitLonger(suggestedAt)) break;
      }
      due = true;
    })
    .catch((err: unknown) => {
      if (!(isCancellation(err) && scope.consideredCancelled)) throw err;
    });
  return {
    due: () => due,
    async stop() {
      scope.cancel();
      await watching;
    },
  };
}
