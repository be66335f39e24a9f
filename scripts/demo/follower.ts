/** Following the demo's webinar: each phase as first seen, and registration as a progress bar or plain lines. */
import type { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarPhase, WebinarStatus } from '../../domain/types';
import { DemoInterrupted } from './interrupt';

const POLL_MS = 150;

function bar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} registered (${Math.round(ratio * 100)}%)`;
}

/** Step 3 (helper): prints each phase as first seen and the registration progress, and waits for a status. */
export class PhaseFollower {
  readonly seen = new Map<WebinarPhase, number>();
  last: WebinarStatus | undefined;
  private lastDecile = -1;
  private lastPrinted = -1;
  private barShown = false;
  private registering = false;

  constructor(
    private readonly webinars: WebinarClient,
    private readonly webinarId: string,
    private readonly t0: number,
    private readonly io: { out: (t: string) => void; say: (t: string) => void; isTTY: boolean },
    private readonly signal: AbortSignal | undefined,
  ) {}

  clearBar(): void {
    if (this.barShown && this.io.isTTY) this.io.out('\n');
    this.barShown = false;
  }

  private progress(s: WebinarStatus, final: boolean): void {
    const { registered, requested } = s.attendees;
    if (this.io.isTTY) {
      this.io.out(`\r        ${bar(registered, requested)}`);
      this.barShown = true;
      return;
    }
    const decile = Math.floor((registered / Math.max(1, requested)) * 10);
    if ((decile !== this.lastDecile || final) && registered !== this.lastPrinted) {
      this.lastDecile = decile;
      this.lastPrinted = registered;
      this.io.say(`        ${registered}/${requested} registered`);
    }
  }

  observe(s: WebinarStatus): void {
    if (this.registering && s.phase !== 'PROVISIONING') {
      // Registration is over: show where it ended before the next phase's line.
      this.progress(s, true);
      this.registering = false;
    }
    if (!this.seen.has(s.phase)) {
      this.clearBar();
      this.seen.set(s.phase, Date.now());
      this.io.say(`[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(5)} s] ${s.phase}`);
    }
    if (s.phase === 'PROVISIONING') {
      this.registering = true;
      this.progress(s, false);
    }
    this.last = s;
  }

  async until(ok: (s: WebinarStatus) => boolean, timeoutMs: number): Promise<WebinarStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.signal?.aborted) throw new DemoInterrupted();
      // The live query: the demo prints the replicas' Regions and seats, and registration as it goes.
      const s = await this.webinars.status(this.webinarId, { live: true });
      this.observe(s);
      if (ok(s)) return s;
      if (s.phase === 'FAILED' || s.phase === 'CANCELLED')
        throw new Error(`webinar ${s.phase}: ${s.lastError ?? ''}`);
      if (Date.now() > deadline) throw new Error(`timed out in phase ${s.phase}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
