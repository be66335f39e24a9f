/**
 * When a run hands its state to a new one besides the server's suggestion: at the end of provisioning, when
 * registering the roster made the history long. Operators act on a READY webinar; a continue-as-new then
 * would hold their actions while the largest state is carried over. Continuing before READY gives the live
 * webinar a fresh history, and the new run publishes READY.
 */
import { workflowInfo } from '@temporalio/workflow';

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
