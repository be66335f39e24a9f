/**
 * The emulated service, assembled: config and clock, the state store, the request pipeline and the operations,
 * plus the admin surface (config, reset, clock, connections, state) that the HTTP admin API and tests use.
 */
import { EmulatedClock } from './clock';
import { MeetingEvents, type EventTotals } from './events/events';
import { checkConfig, deepMerge, defaultConfig, type DeepPartial, type EmulatorConfig } from './config';
import { loadModel, Router, Validator, type ServiceModel } from './model';
import { OPERATIONS, type OperationContext } from './operations';
import { FaultInjector, type FaultCounts } from './pipeline/faults';
import { Pipeline, type ApiRequest, type OperationCounters } from './pipeline/pipeline';
import { RateLimiter } from './pipeline/rate-limiter';
import type { ApiResponse } from './pipeline/responses';
import type { CreationTotals } from './store/ledger';
import { SqsFrontend, type SqsCounters, type SqsRequest } from './sqs/protocol';
import { QueueService, type QueueDepth } from './sqs/queues';
import { MeetingStore, type MeetingSummary } from './store/store';

export type { ApiRequest, OperationCounters } from './pipeline/pipeline';
export type { ApiResponse } from './pipeline/responses';
export { errorResponse } from './pipeline/responses';
export type { MeetingSummary } from './store/store';
export type {
  EventTotals,
  MeetingEventEnvelope,
  MeetingEventDetail,
  MeetingEventType,
} from './events/events';
export type { QueueDepth } from './sqs/queues';
export type { SqsCounters } from './sqs/protocol';
export type { Capabilities, MediaCapability } from './rules';

/** The call counters alone: cheap to read while tens of thousands of attendees exist (state() lists them all). */
export interface EmulatorCounters {
  operations: Record<string, OperationCounters>;
  totals: {
    calls: number;
    throttled: number;
    failed: number;
    meetingsCreated: number;
    attendeesCreated: number;
    meetingsEnded: number;
  };
  /** Meeting events produced and delivered since the last reset. */
  events: EventTotals;
  /** Every queue of the emulator's SQS with its depth (few queues: cheap). */
  queues: QueueDepth[];
  /** Calls of the SQS API. */
  sqs: SqsCounters;
}

export interface EmulatorState extends EmulatorCounters {
  /** ISO-8601, emulated time. */
  now: string;
  meetings: MeetingSummary[];
  /** Injected faults that fired, before and after the effect. */
  faults: FaultCounts;
  /** Creations by idempotency key: the "nothing created twice" totals. */
  creations: CreationTotals;
}

export class Engine {
  readonly model: ServiceModel;
  readonly router: Router;
  readonly clock: EmulatedClock;
  private config: EmulatorConfig;
  private readonly store: MeetingStore;
  private readonly limiter: RateLimiter;
  private readonly faults: FaultInjector;
  private readonly pipeline: Pipeline;
  private readonly queues: QueueService;
  private readonly events: MeetingEvents;
  private readonly sqs: SqsFrontend;

  constructor(patch?: DeepPartial<EmulatorConfig>) {
    this.model = loadModel();
    this.router = new Router(this.model);
    for (const name of Object.keys(this.model.operations)) {
      if (!OPERATIONS[name]) throw new Error(`no handler for ${name}`);
    }
    this.config = defaultConfig();
    this.clock = new EmulatedClock(1);
    const config = (): EmulatorConfig => this.config;
    this.queues = new QueueService(this.clock);
    this.events = new MeetingEvents(config, this.queues);
    this.sqs = new SqsFrontend(this.queues);
    this.store = new MeetingStore(this.clock, config, (e) => this.events.emit(e));
    this.limiter = new RateLimiter(config);
    this.faults = new FaultInjector(config);
    this.pipeline = new Pipeline({
      model: this.model,
      validator: new Validator(this.model),
      limiter: this.limiter,
      faults: this.faults,
      run: (op, region, input) => {
        this.store.sweep();
        const ctx: OperationContext = { store: this.store, config: this.config, clock: this.clock };
        return OPERATIONS[op]?.(ctx, region, input);
      },
    });
    if (patch) this.configure(patch);
  }

  handle(req: ApiRequest): Promise<ApiResponse> {
    return this.pipeline.handle(req);
  }

  /** An SQS API call (X-Amz-Target: AmazonSQS.*). */
  handleSqs(req: Omit<SqsRequest, 'accountId'>): Promise<ApiResponse> {
    this.store.sweep();
    return this.sqs.handle({ ...req, accountId: this.config.accountId });
  }

  /** The config's default event queues, created where missing. */
  private ensureEventQueues(): void {
    for (const [region, name] of Object.entries(this.config.events.defaultQueues)) {
      this.queues.ensure({ region, accountId: this.config.accountId }, name);
    }
  }

  getConfig(): EmulatorConfig {
    return structuredClone(this.config);
  }

  /** Deep-merges a patch; throws (and changes nothing) when a key is forbidden or the result is invalid. */
  configure(patch: unknown): EmulatorConfig {
    const merged = deepMerge(this.config, patch);
    const problems = checkConfig(merged, Object.keys(this.model.operations));
    if (problems.length > 0) throw new Error(`invalid config: ${problems.join('; ')}`);
    this.config = merged;
    this.clock.setSpeed(merged.clock.speed);
    this.limiter.clear();
    const faults = (patch as { faults?: { seed?: unknown } } | undefined)?.faults;
    if (faults && faults.seed !== undefined) {
      this.faults.reseed();
      this.events.reseed();
    }
    this.store.recomputeDeadlines();
    this.ensureEventQueues();
    return this.getConfig();
  }

  /**
   * Clears meetings, counters, rate-limit buckets, event totals and queues (every queue is deleted, the
   * config's default event queues are created again empty); re-seeds the fault PRNG. Keeps config and clock.
   */
  reset(): void {
    this.store.clear();
    this.limiter.clear();
    this.faults.reset();
    this.pipeline.resetCounters();
    this.queues.clear();
    this.events.clear();
    this.sqs.resetCounters();
    this.ensureEventQueues();
  }

  /** Ends waiting long polls; no new one waits. */
  close(): void {
    this.queues.close();
  }

  /** Throws a RangeError naming `ms` when it is not a finite, bounded number of milliseconds. */
  advanceClock(ms: number): void {
    this.clock.advance(ms);
    this.store.sweep();
    this.queues.wakeAll();
  }

  /** Connects an attendee: false (and no event) when it was connected already. */
  connect(meetingId: string, attendeeId: string): boolean {
    return this.store.connect(meetingId, attendeeId);
  }

  /** The attendee leaves: false (and no event) when it was not connected. */
  disconnect(meetingId: string, attendeeId: string): boolean {
    return this.store.disconnect(meetingId, attendeeId, 'left');
  }

  /** The attendee's connection is lost (chime:AttendeeDropped): false when it was not connected. */
  drop(meetingId: string, attendeeId: string): boolean {
    return this.store.disconnect(meetingId, attendeeId, 'dropped');
  }

  /** Ends meetings whose idle or maximum time is over. */
  sweep(): void {
    this.store.sweep();
  }

  counters(): EmulatorCounters {
    const { operations, totals } = this.pipeline.counters();
    return {
      operations,
      totals: { ...totals, ...this.store.totals() },
      events: this.events.totals(),
      queues: this.queues.depths(),
      sqs: this.sqs.counters(),
    };
  }

  state(): EmulatorState {
    this.store.sweep();
    return {
      now: new Date(this.clock.now()).toISOString(),
      meetings: this.store.summaries(),
      ...this.counters(),
      faults: this.faults.totals(),
      creations: this.store.creations(),
    };
  }
}
