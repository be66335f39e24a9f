/**
 * The events waiting for their webinar's next Signal, and the rate: a webinar gets at most one Signal per
 * second, counted from the acceptance (or failure) of its previous one, so the Signals arrive at the server at
 * least a second apart too; one Signal at a time per webinar, each of at most MAX_EVENTS_PER_SIGNAL events.
 * An event received twice (a duplicate delivery, or its message again after a visibility timeout) waits once,
 * with every message that carried it: all of them are deleted once it is signalled.
 */
import { MAX_EVENTS_PER_SIGNAL, type MeetingEvent } from '../../domain/meeting-events';
import type { ReceivedMessage } from './queue';

export const SIGNAL_INTERVAL_MS = 1_000;
/** How long the first events of a quiet webinar wait for others from the same receives. */
export const LINGER_MS = 50;

export interface PendingEvent {
  event: MeetingEvent;
  /** By message ID: a message received again replaces its older receipt. */
  messages: Map<string, ReceivedMessage>;
}

interface Webinar {
  waiting: Map<string, PendingEvent>;
  /** When its last Signal settled (ms); 0 before the first. */
  settledAt: number;
  sending: boolean;
  timer?: NodeJS.Timeout;
}

/** Sends one webinar's batch; resolves once the messages are dealt with (deleted, dead-lettered or left). */
export type SendBatch = (webinarId: string, batch: PendingEvent[]) => Promise<void>;

export class WebinarBatches {
  private readonly webinars = new Map<string, Webinar>();
  /** Messages held: waiting or in a Signal being sent. */
  private held = 0;
  private idle: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly send: SendBatch,
    private readonly now: () => number = Date.now,
  ) {}

  get heldMessages(): number {
    return this.held;
  }

  add(webinarId: string, event: MeetingEvent, message: ReceivedMessage): void {
    let w = this.webinars.get(webinarId);
    if (!w) {
      w = { waiting: new Map(), settledAt: 0, sending: false };
      this.webinars.set(webinarId, w);
    }
    const pending = w.waiting.get(event.id);
    if (pending) {
      if (!pending.messages.has(message.messageId)) this.held++;
      pending.messages.set(message.messageId, message);
    } else {
      w.waiting.set(event.id, { event, messages: new Map([[message.messageId, message]]) });
      this.held++;
    }
    this.schedule(webinarId, w);
  }

  /** Messages waiting (not in a Signal being sent) whose visibility ends before `before`. */
  expiring(before: number): ReceivedMessage[] {
    const out: ReceivedMessage[] = [];
    for (const w of this.webinars.values()) {
      for (const p of w.waiting.values()) {
        for (const m of p.messages.values()) if (m.visibleUntil < before) out.push(m);
      }
    }
    return out;
  }

  /** Forgets webinars with nothing waiting whose last Signal is over a second old. */
  sweep(): void {
    const now = this.now();
    for (const [id, w] of this.webinars) {
      if (!w.sending && w.waiting.size === 0 && now - w.settledAt >= SIGNAL_INTERVAL_MS) {
        this.webinars.delete(id);
      }
    }
  }

  /** Resolves once nothing is held (every batch sent at its rate), or at `deadline`. */
  async drained(deadline: number): Promise<boolean> {
    if (this.held === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.idle.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(0, deadline - this.now()));
      }),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Sends nothing more; what waits is dropped (its messages come again after their visibility timeout). */
  stop(): void {
    this.stopped = true;
    for (const w of this.webinars.values()) {
      clearTimeout(w.timer);
      w.timer = undefined;
      for (const p of w.waiting.values()) this.held -= p.messages.size;
      w.waiting.clear();
    }
    this.notifyIfIdle();
  }

  private schedule(webinarId: string, w: Webinar): void {
    if (this.stopped || w.sending || w.timer || w.waiting.size === 0) return;
    const first = w.settledAt === 0 || this.now() - w.settledAt >= SIGNAL_INTERVAL_MS;
    const delay = first ? LINGER_MS : w.settledAt + SIGNAL_INTERVAL_MS - this.now();
    w.timer = setTimeout(() => this.flush(webinarId, w), Math.max(0, delay));
  }

  private flush(webinarId: string, w: Webinar): void {
    w.timer = undefined;
    if (this.stopped) return;
    const batch: PendingEvent[] = [];
    for (const [id, p] of w.waiting) {
      if (batch.length >= MAX_EVENTS_PER_SIGNAL) break;
      batch.push(p);
      w.waiting.delete(id);
    }
    if (batch.length === 0) return;
    w.sending = true;
    const messages = batch.reduce((n, p) => n + p.messages.size, 0);
    void this.send(webinarId, batch)
      .catch(() => undefined)
      .finally(() => {
        w.sending = false;
        w.settledAt = this.now();
        this.held -= messages;
        this.schedule(webinarId, w);
        this.notifyIfIdle();
      });
  }

  private notifyIfIdle(): void {
    if (this.held > 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
