/**
 * The dashboard itself: once a tick, it reads every webinar of the storm the way its mode says, and notes when a
 * poll first saw each phase (and, from the memo, each `updatedAt`), until every webinar is READY.
 */
import type { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarPhase } from '../../domain/phases';
import { sleep } from '../support/polling';
import { POLL_MS, type DashboardMode } from './modes';

/** What one poll of one webinar (or of the list) saw, and when its answer arrived. */
interface Seen {
  phase?: WebinarPhase;
  updatedAt?: string;
}

export class DashboardPoller {
  /** When a poll first saw `${webinarId} ${phase}` or `${webinarId} @${updatedAt}`. */
  readonly firstSeen = new Map<string, number>();
  /** Every answered read's seconds. */
  readonly latency: number[] = [];
  readonly failureSamples: string[] = [];
  polls = 0;
  failures = 0;
  /** Ticks that started late because the previous one had not finished. */
  lateTicks = 0;
  private readonly phases = new Map<string, WebinarPhase>();
  private readonly windowQuery: string;
  private readonly tick: Record<DashboardMode, () => Promise<boolean>>;

  /** The storm's webinars all start at `startAt`: the list and the count select them by that instant. */
  constructor(
    private readonly client: WebinarClient,
    private readonly webinarIds: string[],
    startAt: number,
  ) {
    this.windowQuery =
      `WorkflowType = 'webinarWorkflow' AND WebinarStartAt >= '${new Date(startAt).toISOString()}' ` +
      `AND WebinarStartAt < '${new Date(startAt + 1).toISOString()}'`;
    this.tick = {
      none: async () => {
        const { count } = await client.client.workflow.count(
          `${this.windowQuery} AND WebinarPhase = 'READY'`,
        );
        return count >= webinarIds.length;
      },
      memo: async () => {
        await Promise.all(
          webinarIds.map((id) =>
            this.timed(async () => {
              const st = await client.status(id);
              this.note(id, st, Date.now());
            }),
          ),
        );
        return false;
      },
      list: async () => {
        await this.timed(async () => {
          const rows = await client.list({
            startsFrom: new Date(startAt),
            startsBefore: new Date(startAt + 1),
          });
          const at = Date.now();
          for (const r of rows) this.note(r.webinarId, r, at);
        });
        return false;
      },
      query: async () => {
        await Promise.all(
          webinarIds.map((id) =>
            this.timed(async () => {
              const st = await client.status(id, { live: true });
              this.note(id, st, Date.now());
            }),
          ),
        );
        return false;
      },
    };
  }

  /** Polls once a tick until every webinar is READY (or LIVE); returns when the first tick began (epoch ms). */
  async run(mode: DashboardMode): Promise<number> {
    const t0 = Date.now();
    let next = t0;
    for (;;) {
      const doneByCount = await this.tick[mode]().catch(() => false);
      const allReady =
        mode === 'none'
          ? doneByCount
          : this.phases.size === this.webinarIds.length &&
            [...this.phases.values()].every((p) => p === 'READY' || p === 'LIVE');
      if (allReady) break;
      if (Date.now() - t0 > 600_000) throw new Error(`dashboard [${mode}]: not all READY after 10 minutes`);
      next += POLL_MS;
      if (Date.now() > next) {
        this.lateTicks += 1;
        next = Date.now();
      } else await sleep(next - Date.now());
    }
    return t0;
  }

  private note(webinarId: string, seen: Seen, at: number): void {
    if (seen.phase) {
      this.phases.set(webinarId, seen.phase);
      const key = `${webinarId} ${seen.phase}`;
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, at);
    }
    if (seen.updatedAt) {
      const key = `${webinarId} @${seen.updatedAt}`;
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, at);
    }
  }

  private async timed(read: () => Promise<void>): Promise<void> {
    const t = performance.now();
    this.polls += 1;
    try {
      await read();
      this.latency.push((performance.now() - t) / 1000);
    } catch (err) {
      this.failures += 1;
      if (this.failureSamples.length < 5)
        this.failureSamples.push(err instanceof Error ? err.message : String(err));
    }
  }
}
