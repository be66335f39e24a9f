/**
 * The cluster tests' webinars, driven through the project's own client (client/library/webinar-client.ts) as a
 * scheduling system or dashboard would: its status query asks again past the stale-run guard's refusal, and
 * its operator actions are the ones production sends. Each test's webinars are tracked, so that after the test,
 * passed or failed, `cleanUp()` leaves none running and none of their meetings behind.
 */
import {
  ChimeSDKMeetingsClient,
  DeleteMeetingCommand,
  NotFoundException,
} from '@aws-sdk/client-chime-sdk-meetings';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WebinarHandle } from '../../client/library/operator-actions';
import { WebinarClient } from '../../client/library/webinar-client';
import { isStaleRunRefusal } from '../../domain/errors';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import type { MeetingSummary, RunningEmulator } from '../../emulator';
import { webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the server restarting, or a query no worker answered in time. */
const TRANSIENT_GRPC_CODES = new Set([4, 14]);

function isTransient(err: unknown): boolean {
  if (isStaleRunRefusal(err)) return true;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (TRANSIENT_GRPC_CODES.has((e as { code?: unknown }).code as number)) return true;
  }
  return false;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : JSON.stringify(err));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ClusterWebinars {
  readonly client: WebinarClient;
  /** Starts a webinar's workflow and tracks it until the next cleanUp(). */
  start(spec: WebinarSpec): Promise<WebinarHandle>;
  status(webinarId: string): Promise<WebinarStatus>;
  /** Polls status() until `predicate` holds; a poll the server could not answer yet is asked again. */
  waitForStatus(
    webinarId: string,
    predicate: (s: WebinarStatus) => boolean,
    timeoutMs: number,
    pollMs: number,
  ): Promise<WebinarStatus>;
  /** The endWebinar operator action, as a Signal. */
  end(webinarId: string, reason: string): Promise<void>;
  /** The emulator's meetings that belong to these webinars (ExternalMeetingId is the webinar's title, its ID). */
  meetingsOf(webinarIds: readonly string[]): MeetingSummary[];
  /**
   * Ends every webinar tracked since the last call that is still running (end, then cancel, then terminate),
   * then deletes whatever meetings of theirs remain. Returns what it had to do; throws if meetings remain.
   */
  cleanUp(): Promise<string[]>;
}

export function clusterWebinars(
  client: Client,
  taskQueue: string,
  emulator: RunningEmulator,
): ClusterWebinars {
  // start() bypasses schedule(), so the capacity calendar is never consulted.
  const webinars = new WebinarClient(client, { taskQueue, calendar: false });
  const tracked = new Set<string>();

  const waitForStatus: ClusterWebinars['waitForStatus'] = async (webinarId, predicate, timeoutMs, pollMs) => {
    const deadline = Date.now() + timeoutMs;
    let last: WebinarStatus | undefined;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        last = await webinars.status(webinarId);
        if (predicate(last)) return last;
      } catch (err) {
        if (!isTransient(err)) throw err;
        lastError = err;
      }
      await sleep(pollMs);
    }
    throw new Error(
      `webinar ${webinarId}: status never matched in ${timeoutMs} ms; last: ${JSON.stringify(last)}` +
        (lastError ? `; last error: ${message(lastError)}` : ''),
    );
  };

  const meetingsOf = (ids: readonly string[]): MeetingSummary[] =>
    emulator.state().meetings.filter((m) => ids.includes(m.externalMeetingId));

  /** Ends one webinar's workflow by the gentlest means that works; returns what it took ('' if closed already). */
  async function close(webinarId: string): Promise<string> {
    const handle = webinars.handle(webinarId);
    const running = async (): Promise<boolean> => (await handle.describe()).status.name === 'RUNNING';
    const closedWithin = async (ms: number): Promise<boolean> => {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(500)) {
        if (!(await running().catch(() => true))) return true;
      }
      return false;
    };
    try {
      if (!(await running())) return '';
    } catch (err) {
      // Its start never reached the server.
      if (err instanceof WorkflowNotFoundError) return '';
      throw err;
    }
    // The workflow's own teardown deletes its meetings: try it first.
    await webinars
      .action(webinarId, 'endWebinar', { reason: 'cluster test cleanup' }, { fireAndForget: true })
      .catch(() => undefined);
    if (await closedWithin(90_000)) return 'ended';
    await webinars.cancel(webinarId).catch(() => undefined);
    if (await closedWithin(30_000)) return 'cancelled';
    await handle.terminate('cluster test cleanup');
    return 'terminated';
  }

  async function deleteMeetings(ids: readonly string[]): Promise<number> {
    const clients = new Map<string, ChimeSDKMeetingsClient>();
    const chime = (region: string): ChimeSDKMeetingsClient => {
      let c = clients.get(region);
      if (!c) {
        c = new ChimeSDKMeetingsClient({
          region,
          endpoint: emulator.endpoint,
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        });
        clients.set(region, c);
      }
      return c;
    };
    let deleted = 0;
    try {
      // An activity already running when its workflow closed may still create one: sweep until it stays empty.
      const deadline = Date.now() + 60_000;
      for (let quiet = 0; quiet < 3 && Date.now() < deadline;) {
        // Primaries first: deleting one deletes its replicas.
        const left = meetingsOf(ids).sort((a, b) => (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1));
        if (left.length === 0) quiet++;
        else quiet = 0;
        for (const m of left) {
          try {
            await chime(m.controlRegion).send(new DeleteMeetingCommand({ MeetingId: m.meetingId }));
            deleted++;
          } catch (err) {
            if (!(err instanceof NotFoundException)) throw err;
          }
        }
        await sleep(1_000);
      }
    } finally {
      for (const c of clients.values()) c.destroy();
    }
    return deleted;
  }

  return {
    client: webinars,
    async start(spec) {
      tracked.add(spec.webinarId);
      return client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [spec],
        taskQueue,
        workflowId: webinarWorkflowId(spec.webinarId),
        workflowIdConflictPolicy: 'FAIL',
      });
    },
    status: (webinarId) => webinars.status(webinarId),
    waitForStatus,
    async end(webinarId, reason) {
      await webinars.action(webinarId, 'endWebinar', { reason }, { fireAndForget: true });
    },
    meetingsOf,
    async cleanUp() {
      const ids = [...tracked];
      tracked.clear();
      const done: string[] = [];
      await Promise.all(
        ids.map(async (id) => {
          const how = await close(id).catch((err: unknown) => `not closed (${message(err)})`);
          if (how) done.push(`${id} ${how}`);
        }),
      );
      if (meetingsOf(ids).length > 0 || done.length > 0) {
        const deleted = await deleteMeetings(ids);
        if (deleted > 0) done.push(`${deleted} meetings deleted`);
      }
      const left = meetingsOf(ids);
      if (left.length > 0) {
        throw new Error(`cleanup left ${left.length} meetings: ${left.map((m) => m.meetingId).join(', ')}`);
      }
      return done;
    },
  };
}
