/**
 * A history captured while a workflow task is in flight (a task started, not completed: what `temporal workflow
 * show` or the web UI downloads from a running webinar) replays, and the stale-run guard does not mistake its
 * last, unfinished task for a stale run. Every prefix of recorded histories that ends at a WorkflowTaskStarted
 * is replayed with the production workflows and interceptors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { webinarBundle } from '../support/webinar-stack';

const HISTORIES = join(__dirname, '..', 'histories');

/** Each scenario's history, cut after every WorkflowTaskStarted but the last one (the full history). */
function midTaskCaptures(file: string): { cut: number; total: number; events: unknown[] }[] {
  const { events } = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as {
    events: { eventType?: string }[];
  };
  return events.flatMap((e, i) =>
    e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED' && i + 1 < events.length
      ? [{ cut: i + 1, total: events.length, events: events.slice(0, i + 1) }]
      : [],
  );
}

describe.each(['full-lifecycle.json', 'cancel-while-ready.json', 'new-generation.json'])(
  'a history captured in the middle of a workflow task, from %s',
  (file) => {
    it('replays at every task, with the guard silent', async () => {
      const workflowBundle = await webinarBundle();
      const captures = midTaskCaptures(file);
      expect(captures.length).toBeGreaterThanOrEqual(4);
      const failed: string[] = [];
      for (const { cut, total, events } of captures) {
        try {
          await Worker.runReplayHistory(
            { workflowBundle, replayName: `${file} cut at ${cut}/${total}` },
            historyFromJSON({ events }),
          );
        } catch (error) {
          failed.push(`cut at event ${cut} of ${total}: ${String(error)}`);
        }
      }
      expect(failed).toEqual([]);
    }, 120_000);
  },
);
