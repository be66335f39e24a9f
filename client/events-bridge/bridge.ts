/**
 * The events bridge: a few long polls read the meeting events queue, each message is read
 * (domain/meeting-events.ts), its event waits with its webinar's others for the next Signal (batches.ts, at most
 * one per second per webinar), and its message is deleted once that Signal was accepted: at least once.
 *
 * - No workflow for the webinar (never started, or closed): the events are late; deleted, counted, logged once
 *   per webinar.
 * - Ignored events (video, content share...): deleted, counted.
 * - Malformed messages, and messages received more than `maxTries` times: copied to the dead-letter queue with
 *   the reason, then deleted. Without a dead-letter queue they are left for the queue's RedrivePolicy.
 * - A failed Signal (Temporal unavailable, refused) leaves its messages: they come again after their visibility
 *   timeout, one receive count higher, and a message at `maxTries` is dead-lettered instead of left.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { MAX_EVENTS_PER_SIGNAL, readMeetingEventMessage } from '../../domain/meeting-events';
import { meetingEventsSignal, webinarWorkflowId } from '../../workflows/definitions';
import { WebinarBatches, type PendingEvent } from './batches';
import type { BridgeTuning } from './config';
import { RecentKeys, type BridgeLog } from './log';
import type { BridgeMetrics, DeadLetterReason } from './metrics';
import type { EventsQueue, ReceivedMessage } from './queue';

const MAX_PER_RECEIVE = 10;
/** SQS's longest visibility timeout (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
/** How often waiting messages' visibility is looked at, at most: see sweepEvery. */
const SWEEP_MS = 1_000;
const RECEIVE_BACKOFF_MS = [500, 1_000, 2_000, 5_000];
/** How often a failing receive or a failing Signal is logged at most. */
const WARN_EVERY_MS = 30_000;

export interface EventsBridgeOptions {
  client: Client;
  queue: EventsQueue;
  tuning: BridgeTuning;
  metrics: BridgeMetrics;
  log: BridgeLog;
}

export interface EventsBridge {
  /**
   * `flush` (the default): stop polling, send what waits (at its rate) and delete it, up to `timeoutMs`.
   * Without: stop at once, deleting nothing more (what was received comes again).
   */
  stop(options?: { flush?: boolean; timeoutMs?: number }): Promise<void>;
  readonly metrics: BridgeMetrics;
}

/**
 * A message is extended once less than a third of its visibility is left; looking twice as often as that
 * third lasts catches each in time, with a sixth of it to spare for the call.
 */
export function sweepEvery(visibilitySeconds: number): number {
  return Math.min(SWEEP_MS, Math.floor((visibilitySeconds * 1000) / 6));
}

export function startEventsBridge(options: EventsBridgeOptions): EventsBridge {
  const { client, queue, tuning, metrics, log } = options;
  const lateLogged = new RecentKeys();
  const warned = new Map<string, number>();
  const warnSometimes = (key: string, entry: Record<string, unknown> & { event: string }): void => {
    const now = Date.now();
    if (now - (warned.get(key) ?? 0) < WARN_EVERY_MS) return;
    // Keyed by webinar too: forgotten wholesale rather than growing with every webinar that ever failed.
    if (warned.size >= 10_000) warned.clear();
    warned.set(key, now);
    log({ level: 'warn', ...entry });
  };

  const deleteAll = async (messages: ReceivedMessage[]): Promise<void> => {
    if (messages.length === 0) return;
    const failed = await queue.delete(messages);
    metrics.deleted.inc(messages.length - failed);
    if (failed > 0) metrics.deleteErrors.inc(failed);
  };

  const deadLetter = async (m: ReceivedMessage, reason: DeadLetterReason, detail?: string): Promise<void> => {
    if (!queue.hasDeadLetterQueue) return;
    if (await queue.deadLetter(m, reason, detail)) {
      metrics.deadLettered.inc({ reason });
      log({
        level: 'warn',
        event: 'dead-lettered',
        reason,
        ...(detail ? { detail } : {}),
        messageId: m.messageId,
        receiveCount: m.receiveCount,
      });
    } else {
      metrics.deadLetterErrors.inc();
      warnSometimes('dead-letter', { event: 'dead-letter-failed', messageId: m.messageId });
    }
  };

  const signalBatch = async (webinarId: string, batch: PendingEvent[]): Promise<void> => {
    const messages = batch.flatMap((p) => [...p.messages.values()]);
    try {
      await client.withDeadline(Date.now() + tuning.signalTimeoutMs, () =>
        client.workflow
          .getHandle(webinarWorkflowId(webinarId))
          .signal(meetingEventsSignal, { events: batch.map((p) => p.event) }),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        metrics.signals.inc({ outcome: 'late' });
        metrics.late.inc(batch.length);
        if (lateLogged.add(webinarId)) {
          log({ level: 'info', event: 'late', webinarId, events: batch.length, why: 'no running workflow' });
        }
        await deleteAll(messages);
        return;
      }
      metrics.signals.inc({ outcome: 'failed' });
      warnSometimes(`signal:${webinarId}`, {
        event: 'signal-failed',
        webinarId,
        events: batch.length,
        errorKind: err instanceof Error ? err.name : typeof err,
        error: err instanceof Error ? err.message.slice(0, 200) : undefined,
      });
      // Left to come again, except those out of tries.
      await Promise.all(
        messages.filter((m) => m.receiveCount >= tuning.maxTries).map((m) => deadLetter(m, 'max-tries')),
      );
      return;
    }
    const now = Date.now();
    metrics.signals.inc({ outcome: 'accepted' });
    metrics.signalledEvents.inc(batch.length);
    metrics.batchSize.observe(batch.length);
    for (const p of batch) metrics.lag.observe(Math.max(0, now - p.event.at) / 1000);
    await deleteAll(messages);
  };

  const batches = new WebinarBatches(signalBatch);
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const handle = (m: ReceivedMessage): void => {
    metrics.received.inc();
    if (m.receiveCount > 1) metrics.redelivered.inc();
    // Past its tries whatever it holds: one that keeps stopping the bridge cannot loop.
    if (m.receiveCount > tuning.maxTries && queue.hasDeadLetterQueue) {
      track(deadLetter(m, 'max-tries'));
      return;
    }
    const read = readMeetingEventMessage(m.body);
    if (read.kind === 'malformed') {
      metrics.malformed.inc();
      if (queue.hasDeadLetterQueue) track(deadLetter(m, 'malformed', read.reason));
      else warnSometimes('malformed', { event: 'malformed', reason: read.reason, messageId: m.messageId });
    } else if (read.kind === 'ignored') {
      metrics.ignored.inc();
      track(deleteAll([m]));
    } else {
      batches.add(read.webinarId, read.event, m);
    }
  };

  // One controller per receive, so a stop hangs up every long poll at once.
  const receiving = new Set<AbortController>();
  let polling = true;
  const wakePollers: (() => void)[] = [];
  const backoff = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        backoff.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      backoff.add(wake);
    });

  // What is held now may all be one webinar's, a second per MAX_EVENTS_PER_SIGNAL: a message received behind
  // it gets that much longer, so it is rarely extended (one call per message) however large the backlog.
  const visibilityNow = (): number =>
    Math.min(
      MAX_VISIBILITY_SECONDS,
      tuning.visibilitySeconds + Math.ceil(batches.heldMessages / MAX_EVENTS_PER_SIGNAL),
    );

  const poll = async (): Promise<void> => {
    let failures = 0;
    while (polling) {
      if (batches.heldMessages >= tuning.maxPending) {
        // Held messages are released as Signals are accepted; the sweep wakes this too.
        await new Promise<void>((resolve) => wakePollers.push(resolve));
        continue;
      }
      let got: ReceivedMessage[];
      const hangUp = new AbortController();
      receiving.add(hangUp);
      try {
        got = await queue.receive(MAX_PER_RECEIVE, tuning.waitSeconds, visibilityNow(), hangUp.signal);
        failures = 0;
      } catch (err) {
        if (!polling) return;
        metrics.receiveErrors.inc();
        warnSometimes('receive', {
          event: 'receive-failed',
          errorKind: err instanceof Error ? err.name : typeof err,
          error: err instanceof Error ? err.message.slice(0, 200) : undefined,
        });
        await sleep(RECEIVE_BACKOFF_MS[Math.min(failures++, RECEIVE_BACKOFF_MS.length - 1)] ?? 5_000);
        continue;
      } finally {
        receiving.delete(hangUp);
      }
      for (const m of got) handle(m);
      metrics.pending.set(batches.heldMessages);
    }
  };

  // Waiting messages whose visibility would run out within a third of it are given a full one again.
  const sweep = setInterval(() => {
    batches.sweep();
    metrics.pending.set(batches.heldMessages);
    if (batches.heldMessages < tuning.maxPending) for (const wake of wakePollers.splice(0)) wake();
    const soon = Date.now() + (tuning.visibilitySeconds * 1000) / 3;
    for (const m of batches.expiring(soon)) {
      track(
        queue.extend(m, tuning.visibilitySeconds).then((ok) => {
          if (ok) metrics.visibilityExtended.inc();
        }),
      );
    }
  }, sweepEvery(tuning.visibilitySeconds));
  sweep.unref();

  const pollers = Array.from({ length: tuning.pollers }, () => poll());
  log({
    level: 'info',
    event: 'polling',
    pollers: tuning.pollers,
    deadLetterQueue: queue.hasDeadLetterQueue,
  });

  let stopping: Promise<void> | undefined;
  return {
    metrics,
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        polling = false;
        for (const hangUp of receiving) hangUp.abort();
        for (const wake of [...wakePollers.splice(0), ...backoff]) wake();
        await Promise.all(pollers);
        if (stopOptions.flush ?? true) {
          const deadline = Date.now() + (stopOptions.timeoutMs ?? 10_000);
          const drained = await batches.drained(deadline);
          log({ level: 'info', event: 'flushed', complete: drained, left: batches.heldMessages });
        }
        batches.stop();
        clearInterval(sweep);
        if (stopOptions.flush ?? true) await Promise.all([...inFlight]);
      })();
      return stopping;
    },
  };
}
