import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EmulatedClock, TokenBucket } from './clock';
import {
  checkConfig,
  deepMerge,
  defaultConfig,
  mulberry32,
  type DeepPartial,
  type EmulatorConfig,
  type FaultSpec,
} from './config';
import { ApiError, badRequest, limitExceeded, notFound } from './errors';
import { loadModel, Router, validationMessage, Validator, type RouteMatch, type ServiceModel } from './model';

export type MediaCapability = 'SendReceive' | 'Send' | 'Receive' | 'None';
export interface Capabilities {
  Audio: MediaCapability;
  Video: MediaCapability;
  Content: MediaCapability;
}
interface MeetingFeatures {
  Audio?: { EchoReduction?: string };
  Video?: { MaxResolution?: string };
  Content?: { MaxResolution?: string };
  Attendee?: { MaxCount?: number };
}
interface Tag {
  Key: string;
  Value: string;
}
interface AttendeeItem {
  ExternalUserId: string;
  Capabilities?: Capabilities;
}

interface AttendeeRecord {
  attendeeId: string;
  externalUserId: string;
  joinToken: string;
  capabilities: Capabilities;
  seq: number;
}

interface MeetingRecord {
  meetingId: string;
  controlRegion: string;
  arn: string;
  mediaRegion: string;
  externalMeetingId: string;
  meetingHostId?: string;
  features?: MeetingFeatures;
  primaryMeetingId?: string;
  tenantIds?: string[];
  mediaPlacement: Record<string, string>;
  tokenKey: string;
  fingerprint: string;
  createdAt: number;
  idleSince: number;
  attendees: Map<string, AttendeeRecord>;
  byExternalUserId: Map<string, AttendeeRecord>;
  connected: Set<string>;
  replicas: Set<string>;
  tags: Map<string, string>;
  transcription?: unknown;
  nextSeq: number;
}

export interface MeetingSummary {
  meetingId: string;
  controlRegion: string;
  mediaRegion: string;
  externalMeetingId: string;
  primaryMeetingId?: string;
  role: 'primary' | 'replica';
  /** Number of attendees (created and not deleted). */
  attendees: number;
  /** Number of attendees connected through the admin API. */
  connected: number;
  transcription: 'ON' | 'OFF';
  /** ISO-8601, emulated time. */
  createdAt: string;
}

export interface OperationCounters {
  calls: number;
  succeeded: number;
  throttled: number;
  failed: number;
}

export interface EmulatorState {
  /** ISO-8601, emulated time. */
  now: string;
  meetings: MeetingSummary[];
  operations: Record<string, OperationCounters>;
  totals: {
    calls: number;
    throttled: number;
    failed: number;
    meetingsCreated: number;
    attendeesCreated: number;
    meetingsEnded: number;
  };
}

export interface ApiRequest {
  match: RouteMatch;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Input = Record<string, unknown>;
type Handler = (region: string, input: Input) => Input | undefined;

const SIGV4 = /Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;
const ARN = /^arn:(aws|aws-us-gov|aws-cn):chime:([a-z0-9-]+):(\d{12}):meeting\/(.+)$/;
const RECEIVES = new Set<MediaCapability>(['SendReceive', 'Receive']);

function partition(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

function regionCode(region: string): string {
  return region
    .split('-')
    .map((p) => (/^\d+$/.test(p) ? p : p.charAt(0)))
    .join('');
}

function mediaPlacement(meetingId: string, region: string): Record<string, string> {
  const code = regionCode(region);
  const cell = `m3.${code}.app.chime.aws`;
  return {
    AudioHostUrl: `${randomBytes(4).toString('hex')}.k.${cell}:3478`,
    AudioFallbackUrl: `wss://haxrp.${cell}:443/calls/${meetingId}`,
    SignalingUrl: `wss://signal.${cell}/control/${meetingId}`,
    TurnControlUrl: `https://2713.cell.${region}.meetings.chime.aws/v2/turn_sessions`,
    ScreenDataUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
    ScreenViewingUrl: `wss://bitpw.${cell}:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=${meetingId}`,
    ScreenSharingUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
    EventIngestionUrl: `https://data.svc.${code}.ingest.chime.aws/v1/client-events`,
  };
}

function attendeeOut(a: AttendeeRecord): Input {
  return {
    ExternalUserId: a.externalUserId,
    AttendeeId: a.attendeeId,
    JoinToken: a.joinToken,
    Capabilities: { ...a.capabilities },
  };
}

function meetingOut(m: MeetingRecord): Input {
  return {
    MeetingId: m.meetingId,
    MeetingHostId: m.meetingHostId,
    ExternalMeetingId: m.externalMeetingId,
    MediaRegion: m.mediaRegion,
    MediaPlacement: m.mediaPlacement,
    MeetingFeatures: m.features,
    PrimaryMeetingId: m.primaryMeetingId,
    TenantIds: m.tenantIds,
    MeetingArn: m.arn,
  };
}

/** Capability rules of the service (see AttendeeCapabilities in the API reference). */
function checkCapabilities(caps: Capabilities | undefined, features: MeetingFeatures | undefined): void {
  if (!caps) return;
  if (RECEIVES.has(caps.Content) && !RECEIVES.has(caps.Video)) {
    throw badRequest(
      `Content capability ${caps.Content} requires a Video capability of SendReceive or Receive (got ${caps.Video})`,
    );
  }
  if (features?.Video?.MaxResolution === 'None' && caps.Video !== 'None') {
    throw badRequest(
      `Video capability ${caps.Video} is not allowed: the meeting's Video MaxResolution is None`,
    );
  }
  if (features?.Content?.MaxResolution === 'None' && caps.Content !== 'None') {
    throw badRequest(
      `Content capability ${caps.Content} is not allowed: the meeting's Content MaxResolution is None`,
    );
  }
}

function defaultCapabilities(features: MeetingFeatures | undefined): Capabilities {
  const video: MediaCapability = features?.Video?.MaxResolution === 'None' ? 'None' : 'SendReceive';
  const content: MediaCapability =
    features?.Content?.MaxResolution === 'None' || video === 'None' ? 'None' : 'SendReceive';
  return { Audio: 'SendReceive', Video: video, Content: content };
}

function checkTags(tags: Tag[] | undefined): void {
  if (!tags) return;
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw badRequest(`Tag key ${tag.Key} uses the reserved prefix aws:`);
    if (seen.has(tag.Key)) throw badRequest(`Duplicate tag key ${tag.Key}`);
    seen.add(tag.Key);
  }
}

/** Semantic rules of TranscriptionConfiguration beyond the model (exclusive and dependent members). */
function checkTranscription(config: Input): void {
  const general = config.EngineTranscribeSettings as Input | undefined;
  const medical = config.EngineTranscribeMedicalSettings as Input | undefined;
  if ((general ? 1 : 0) + (medical ? 1 : 0) !== 1) {
    throw badRequest(
      'TranscriptionConfiguration must contain exactly one of EngineTranscribeSettings and EngineTranscribeMedicalSettings',
    );
  }
  if (!general) return;
  const identify = general.IdentifyLanguage === true;
  if (identify && general.LanguageCode !== undefined) {
    throw badRequest('LanguageCode and IdentifyLanguage cannot be used together');
  }
  if (!identify && general.LanguageCode === undefined) {
    throw badRequest('EngineTranscribeSettings needs either LanguageCode or IdentifyLanguage');
  }
  if (identify) {
    const options = typeof general.LanguageOptions === 'string' ? general.LanguageOptions.split(',') : [];
    if (options.length < 2)
      throw badRequest('IdentifyLanguage requires LanguageOptions with at least two languages');
    if (general.PreferredLanguage !== undefined && !options.includes(general.PreferredLanguage as string)) {
      throw badRequest('PreferredLanguage must be one of LanguageOptions');
    }
    if (general.VocabularyName !== undefined || general.VocabularyFilterName !== undefined) {
      throw badRequest('With IdentifyLanguage use VocabularyNames and VocabularyFilterNames');
    }
  } else {
    for (const member of [
      'LanguageOptions',
      'PreferredLanguage',
      'VocabularyNames',
      'VocabularyFilterNames',
    ]) {
      if (general[member] !== undefined) throw badRequest(`${member} is only valid with IdentifyLanguage`);
    }
  }
  if (general.ContentIdentificationType !== undefined && general.ContentRedactionType !== undefined) {
    throw badRequest('ContentIdentificationType and ContentRedactionType cannot be used together');
  }
  if (
    general.PiiEntityTypes !== undefined &&
    general.ContentIdentificationType === undefined &&
    general.ContentRedactionType === undefined
  ) {
    throw badRequest('PiiEntityTypes requires ContentIdentificationType or ContentRedactionType');
  }
  if (general.PartialResultsStability !== undefined && general.EnablePartialResultsStabilization !== true) {
    throw badRequest('PartialResultsStability requires EnablePartialResultsStabilization');
  }
  if (
    general.VocabularyFilterMethod !== undefined &&
    general.VocabularyFilterName === undefined &&
    general.VocabularyFilterNames === undefined
  ) {
    throw badRequest('VocabularyFilterMethod requires a vocabulary filter name');
  }
}

function emptyCounters(): OperationCounters {
  return { calls: 0, succeeded: 0, throttled: 0, failed: 0 };
}

/** The emulated service: configuration, clock, state, counters and the 16 operations. */
export class Engine {
  readonly model: ServiceModel;
  readonly router: Router;
  private readonly validator: Validator;
  private config: EmulatorConfig;
  readonly clock: EmulatedClock;
  private random: () => number;
  private readonly handlers: Record<string, Handler>;

  private meetings = new Map<string, MeetingRecord>();
  private byToken = new Map<string, string>();
  private liveByRegion = new Map<string, number>();
  private nextDeadline = Infinity;
  private buckets = new Map<string, TokenBucket>();
  private operations: Record<string, OperationCounters> = {};
  private totals: EmulatorState['totals'] = this.emptyTotals();

  constructor(patch?: DeepPartial<EmulatorConfig>) {
    this.model = loadModel();
    this.router = new Router(this.model);
    this.validator = new Validator(this.model);
    this.config = defaultConfig();
    this.clock = new EmulatedClock(1);
    this.random = mulberry32(this.config.faults.seed);
    if (patch) this.configure(patch);
    this.resetCounters();
    this.handlers = {
      CreateMeeting: (r, i) => this.createMeeting(r, i),
      CreateMeetingWithAttendees: (r, i) => this.createMeetingWithAttendees(r, i),
      GetMeeting: (r, i) => ({ Meeting: meetingOut(this.meeting(r, i)) }),
      DeleteMeeting: (r, i) => this.deleteMeeting(r, i),
      CreateAttendee: (r, i) => this.createAttendee(r, i),
      BatchCreateAttendee: (r, i) => this.batchCreateAttendee(r, i),
      GetAttendee: (r, i) => ({ Attendee: attendeeOut(this.attendee(this.meeting(r, i), i)) }),
      DeleteAttendee: (r, i) => this.deleteAttendee(r, i),
      ListAttendees: (r, i) => this.listAttendees(r, i),
      UpdateAttendeeCapabilities: (r, i) => this.updateAttendeeCapabilities(r, i),
      BatchUpdateAttendeeCapabilitiesExcept: (r, i) => this.batchUpdateExcept(r, i),
      StartMeetingTranscription: (r, i) => this.startTranscription(r, i),
      StopMeetingTranscription: (r, i) => this.stopTranscription(r, i),
      TagResource: (r, i) => this.tagResource(r, i),
      UntagResource: (r, i) => this.untagResource(r, i),
      ListTagsForResource: (r, i) => ({ Tags: this.tagList(this.taggedMeeting(r, i)) }),
    };
    for (const name of Object.keys(this.model.operations)) {
      if (!this.handlers[name]) throw new Error(`no handler for ${name}`);
    }
  }

  // ---------------------------------------------------------------- admin surface

  getConfig(): EmulatorConfig {
    return structuredClone(this.config);
  }

  configure(patch: unknown): EmulatorConfig {
    const merged = deepMerge(this.config, patch);
    const problems = checkConfig(merged);
    if (problems.length > 0) throw new Error(`invalid config: ${problems.join('; ')}`);
    this.config = merged;
    this.clock.setSpeed(merged.clock.speed);
    this.buckets.clear();
    const faults = (patch as { faults?: { seed?: unknown } } | undefined)?.faults;
    if (faults && faults.seed !== undefined) this.random = mulberry32(merged.faults.seed);
    this.nextDeadline = -Infinity;
    return this.getConfig();
  }

  /** Clears meetings, counters and rate-limit buckets; re-seeds the fault PRNG. Keeps config and clock. */
  reset(): void {
    this.meetings.clear();
    this.byToken.clear();
    this.liveByRegion.clear();
    this.buckets.clear();
    this.nextDeadline = Infinity;
    this.random = mulberry32(this.config.faults.seed);
    this.resetCounters();
  }

  advanceClock(ms: number): void {
    this.clock.advance(ms);
    this.sweep();
  }

  connect(meetingId: string, attendeeId: string): void {
    const m = this.adminMeeting(meetingId);
    if (!m.attendees.has(attendeeId))
      throw notFound(`attendee ${attendeeId} not found in meeting ${meetingId}`);
    m.connected.add(attendeeId);
  }

  disconnect(meetingId: string, attendeeId: string): void {
    const m = this.adminMeeting(meetingId);
    if (!m.attendees.has(attendeeId))
      throw notFound(`attendee ${attendeeId} not found in meeting ${meetingId}`);
    this.dropConnection(m, attendeeId);
  }

  state(): EmulatorState {
    this.sweep();
    const meetings: MeetingSummary[] = [];
    for (const m of this.meetings.values()) {
      meetings.push({
        meetingId: m.meetingId,
        controlRegion: m.controlRegion,
        mediaRegion: m.mediaRegion,
        externalMeetingId: m.externalMeetingId,
        ...(m.primaryMeetingId ? { primaryMeetingId: m.primaryMeetingId } : {}),
        role: m.primaryMeetingId ? 'replica' : 'primary',
        attendees: m.attendees.size,
        connected: m.connected.size,
        transcription: m.transcription ? 'ON' : 'OFF',
        createdAt: new Date(m.createdAt).toISOString(),
      });
    }
    return {
      now: new Date(this.clock.now()).toISOString(),
      meetings,
      operations: structuredClone(this.operations),
      totals: { ...this.totals },
    };
  }

  /** Ends meetings whose idle or maximum time is over. Cheap unless a deadline has passed. */
  sweep(): void {
    const now = this.clock.now();
    if (now < this.nextDeadline) return;
    let next = Infinity;
    for (const m of this.meetings.values()) {
      if (!this.meetings.has(m.meetingId)) continue;
      const deadline = this.deadlineOf(m);
      if (deadline <= now) this.endMeeting(m);
      else next = Math.min(next, deadline);
    }
    this.nextDeadline = next;
  }

  // ---------------------------------------------------------------- request pipeline

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const op = req.match.route.operation;
    const counters = (this.operations[op] ??= emptyCounters());
    counters.calls++;
    this.totals.calls++;
    const requestId = randomUUID();
    try {
      const region = this.authenticate(req.headers);
      this.throttle(region, op);
      const { latencyMs, fault } = this.drawFault(op);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (fault) throw fault;
      // From here on everything is synchronous: check and mutate cannot interleave with another request.
      const input = this.parseInput(req);
      this.sweep();
      const output = this.handlers[op]?.(region, input);
      counters.succeeded++;
      const route = req.match.route;
      const withBody = route.responseCode !== 204 && route.outputShape !== undefined;
      return {
        status: route.responseCode,
        headers: {
          'x-amzn-RequestId': requestId,
          ...(withBody ? { 'Content-Type': 'application/json' } : {}),
        },
        body: withBody ? JSON.stringify(output ?? {}) : '',
      };
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(
              'ServiceFailureException',
              `Internal error: ${e instanceof Error ? e.message : String(e)}`,
            );
      if (err.type === 'ThrottlingException') {
        counters.throttled++;
        this.totals.throttled++;
      } else {
        counters.failed++;
        this.totals.failed++;
      }
      return errorResponse(err, requestId);
    }
  }

  private authenticate(headers: IncomingHttpHeaders): string {
    const auth = headers.authorization;
    if (!auth) throw new ApiError('ForbiddenException', 'Missing Authentication Token');
    const m = SIGV4.exec(auth);
    if (!auth.startsWith('AWS4-HMAC-SHA256') || !m) {
      throw new ApiError(
        'UnauthorizedException',
        'The Authorization header is not a valid AWS Signature Version 4',
      );
    }
    if (m[4] !== 'chime') {
      throw new ApiError('ForbiddenException', `Credential should be scoped to correct service: 'chime'`);
    }
    return m[3] ?? '';
  }

  private throttle(region: string, op: string): void {
    const limits = this.config.rateLimits;
    if (!limits.enabled) return;
    const now = performance.now();
    const opLimit = limits.operations[op] ?? limits.perOperation;
    const opBucket = this.bucket(`${region}\n${op}`, opLimit.ratePerSecond, opLimit.burst, now);
    const all = this.bucket(`${region}\n*`, limits.account.ratePerSecond, limits.account.burst, now);
    const opOk = opBucket.available(now);
    const allOk = all.available(now);
    if (!opOk || !allOk) {
      throw new ApiError(
        'ThrottlingException',
        `Rate exceeded for ${opOk ? 'the account' : op} in ${region}`,
      );
    }
    opBucket.take();
    all.take();
  }

  private bucket(key: string, rate: number, burst: number, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(rate, burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  private drawFault(op: string): { latencyMs: number; fault?: ApiError } {
    const ops = this.config.faults.operations;
    const star = ops['*'];
    const own = ops[op];
    if (!star && !own) return { latencyMs: 0 };
    const spec: Partial<FaultSpec> = { ...star, ...own };
    const failure = spec.serviceFailureRate ?? 0;
    const unavailable = spec.serviceUnavailableRate ?? 0;
    let fault: ApiError | undefined;
    if (failure > 0 || unavailable > 0) {
      const r = this.random();
      if (r < failure) fault = new ApiError('ServiceFailureException', 'Injected service failure');
      else if (r < failure + unavailable) {
        fault = new ApiError('ServiceUnavailableException', 'Injected service unavailability', {
          retryAfterSeconds: spec.retryAfterSeconds ?? 1,
        });
      }
    }
    return { latencyMs: spec.latencyMs ?? 0, fault };
  }

  private parseInput(req: ApiRequest): Input {
    const route = req.match.route;
    if (!route.inputShape) return {};
    let input: Input = {};
    if (req.body.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body);
      } catch {
        throw badRequest('The request body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw badRequest('The request body must be a JSON object');
      }
      input = parsed as Input;
    }
    const shape = this.model.shapes[route.inputShape];
    for (const [name, ref] of Object.entries(shape?.members ?? {})) {
      if (!ref.location) continue;
      const key = ref.locationName ?? name;
      let value: string | undefined;
      if (ref.location === 'uri') value = req.match.labels[key];
      else if (ref.location === 'querystring') value = req.query.get(key) ?? undefined;
      else if (ref.location === 'header') {
        const h = req.headers[key.toLowerCase()];
        value = Array.isArray(h) ? h.join(',') : h;
      }
      if (value === undefined) {
        delete input[name];
        continue;
      }
      const type = this.model.shapes[ref.shape]?.type;
      if (type === 'integer' || type === 'long') {
        if (!/^-?\d+$/.test(value)) throw badRequest(`Value '${value}' at '${key}' is not an integer`);
        input[name] = Number(value);
      } else input[name] = value;
    }
    const errors = this.validator.validate(route.inputShape, input);
    if (errors.length > 0) throw badRequest(validationMessage(errors));
    return input;
  }

  // ---------------------------------------------------------------- state helpers

  private emptyTotals(): EmulatorState['totals'] {
    return { calls: 0, throttled: 0, failed: 0, meetingsCreated: 0, attendeesCreated: 0, meetingsEnded: 0 };
  }

  private resetCounters(): void {
    this.operations = {};
    for (const name of Object.keys(this.model.operations)) this.operations[name] = emptyCounters();
    this.totals = this.emptyTotals();
  }

  private deadlineOf(m: MeetingRecord): number {
    const max = m.createdAt + this.config.autoEnd.maxHours * 3_600_000;
    if (m.primaryMeetingId === undefined && m.connected.size === 0) {
      return Math.min(max, m.idleSince + this.config.autoEnd.idleMinutes * 60_000);
    }
    return max;
  }

  private endMeeting(m: MeetingRecord): void {
    if (!this.meetings.delete(m.meetingId)) return;
    if (this.byToken.get(m.tokenKey) === m.meetingId) this.byToken.delete(m.tokenKey);
    this.liveByRegion.set(m.controlRegion, (this.liveByRegion.get(m.controlRegion) ?? 1) - 1);
    this.totals.meetingsEnded++;
    if (m.primaryMeetingId) this.meetings.get(m.primaryMeetingId)?.replicas.delete(m.meetingId);
    for (const replicaId of m.replicas) {
      const replica = this.meetings.get(replicaId);
      if (replica) this.endMeeting(replica);
    }
  }

  private dropConnection(m: MeetingRecord, attendeeId: string): void {
    if (!m.connected.delete(attendeeId) || m.connected.size > 0) return;
    m.idleSince = this.clock.now();
    this.nextDeadline = Math.min(this.nextDeadline, this.deadlineOf(m));
  }

  private adminMeeting(meetingId: string): MeetingRecord {
    this.sweep();
    const m = this.meetings.get(meetingId);
    if (!m) throw notFound(`meeting ${meetingId} not found`);
    return m;
  }

  private meeting(region: string, input: Input): MeetingRecord {
    const id = input.MeetingId as string;
    const m = this.meetings.get(id);
    if (!m || m.controlRegion !== region) throw notFound(`The meeting ${id} does not exist`);
    return m;
  }

  private attendee(m: MeetingRecord, input: Input): AttendeeRecord {
    const id = input.AttendeeId as string;
    const a = m.attendees.get(id);
    if (!a) throw notFound(`The attendee ${id} does not exist in meeting ${m.meetingId}`);
    return a;
  }

  private seatLimit(m: MeetingRecord): number {
    return Math.min(this.config.limits.attendeesPerMeeting, m.features?.Attendee?.MaxCount ?? Infinity);
  }

  /** Idempotent on ExternalUserId; a new attendee past the seat limit becomes an error entry. */
  private addAttendees(m: MeetingRecord, items: AttendeeItem[]): { attendees: Input[]; errors: Input[] } {
    const attendees: Input[] = [];
    const errors: Input[] = [];
    const returned = new Set<string>();
    for (const item of items) {
      let a = m.byExternalUserId.get(item.ExternalUserId);
      if (!a) {
        if (m.attendees.size >= this.seatLimit(m)) {
          errors.push({
            ExternalUserId: item.ExternalUserId,
            ErrorCode: 'LimitExceeded',
            ErrorMessage: `The meeting ${m.meetingId} has reached its limit of ${this.seatLimit(m)} attendees`,
          });
          continue;
        }
        a = {
          attendeeId: randomUUID(),
          externalUserId: item.ExternalUserId,
          joinToken: randomBytes(96).toString('base64url'),
          capabilities: item.Capabilities ? { ...item.Capabilities } : defaultCapabilities(m.features),
          seq: m.nextSeq++,
        };
        m.attendees.set(a.attendeeId, a);
        m.byExternalUserId.set(a.externalUserId, a);
        this.totals.attendeesCreated++;
      }
      if (!returned.has(a.attendeeId)) {
        returned.add(a.attendeeId);
        attendees.push(attendeeOut(a));
      }
    }
    return { attendees, errors };
  }

  // ---------------------------------------------------------------- operations

  private findOrCreateMeeting(region: string, input: Input): MeetingRecord {
    const tags = input.Tags as Tag[] | undefined;
    checkTags(tags);
    const features = input.MeetingFeatures as MeetingFeatures | undefined;
    const primaryId = input.PrimaryMeetingId as string | undefined;
    const tokenKey = `${region}\n${input.ClientRequestToken as string}`;
    const fingerprint = JSON.stringify([input.MediaRegion, input.ExternalMeetingId, primaryId ?? null]);
    const existingId = this.byToken.get(tokenKey);
    const existing = existingId ? this.meetings.get(existingId) : undefined;
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError(
          'ConflictException',
          'ClientRequestToken was already used for a meeting with different MediaRegion, ExternalMeetingId or PrimaryMeetingId',
        );
      }
      return existing;
    }
    let primary: MeetingRecord | undefined;
    if (primaryId !== undefined) {
      primary = this.meetings.get(primaryId);
      if (!primary || primary.controlRegion !== region) {
        throw badRequest(`PrimaryMeetingId ${primaryId} does not name a live meeting in ${region}`);
      }
      if (primary.primaryMeetingId !== undefined) {
        throw badRequest(`Meeting ${primaryId} is a replica; a replica cannot be a primary meeting`);
      }
      if (primary.replicas.size >= this.config.limits.replicasPerPrimary) {
        throw limitExceeded(
          `Meeting ${primaryId} already has the maximum of ${this.config.limits.replicasPerPrimary} replicas`,
        );
      }
    }
    const live = this.liveByRegion.get(region) ?? 0;
    if (live >= this.config.limits.concurrentMeetings) {
      throw limitExceeded(
        `The limit of ${this.config.limits.concurrentMeetings} concurrent meetings in ${region} is reached`,
      );
    }
    const meetingId = randomUUID();
    const now = this.clock.now();
    const mediaRegion = input.MediaRegion as string;
    const m: MeetingRecord = {
      meetingId,
      controlRegion: region,
      arn: `arn:${partition(region)}:chime:${region}:${this.config.accountId}:meeting/${meetingId}`,
      mediaRegion,
      externalMeetingId: input.ExternalMeetingId as string,
      meetingHostId: input.MeetingHostId as string | undefined,
      features,
      primaryMeetingId: primaryId,
      tenantIds: input.TenantIds as string[] | undefined,
      mediaPlacement: mediaPlacement(meetingId, mediaRegion),
      tokenKey,
      fingerprint,
      createdAt: now,
      idleSince: now,
      attendees: new Map(),
      byExternalUserId: new Map(),
      connected: new Set(),
      replicas: new Set(),
      tags: new Map((tags ?? []).map((t) => [t.Key, t.Value])),
      nextSeq: 1,
    };
    this.meetings.set(meetingId, m);
    this.byToken.set(tokenKey, meetingId);
    this.liveByRegion.set(region, live + 1);
    primary?.replicas.add(meetingId);
    this.nextDeadline = Math.min(this.nextDeadline, this.deadlineOf(m));
    this.totals.meetingsCreated++;
    return m;
  }

  private createMeeting(region: string, input: Input): Input {
    return { Meeting: meetingOut(this.findOrCreateMeeting(region, input)) };
  }

  private createMeetingWithAttendees(region: string, input: Input): Input {
    const items = input.Attendees as AttendeeItem[];
    const features = input.MeetingFeatures as MeetingFeatures | undefined;
    for (const item of items) checkCapabilities(item.Capabilities, features);
    const m = this.findOrCreateMeeting(region, input);
    const { attendees, errors } = this.addAttendees(m, items);
    return { Meeting: meetingOut(m), Attendees: attendees, Errors: errors };
  }

  private deleteMeeting(region: string, input: Input): undefined {
    this.endMeeting(this.meeting(region, input));
    return undefined;
  }

  private createAttendee(region: string, input: Input): Input {
    const m = this.meeting(region, input);
    const item: AttendeeItem = {
      ExternalUserId: input.ExternalUserId as string,
      Capabilities: input.Capabilities as Capabilities | undefined,
    };
    checkCapabilities(item.Capabilities, m.features);
    const { attendees, errors } = this.addAttendees(m, [item]);
    if (errors.length > 0 || !attendees[0]) throw limitExceeded(String(errors[0]?.ErrorMessage));
    return { Attendee: attendees[0] };
  }

  private batchCreateAttendee(region: string, input: Input): Input {
    const m = this.meeting(region, input);
    const items = input.Attendees as AttendeeItem[];
    for (const item of items) checkCapabilities(item.Capabilities, m.features);
    const { attendees, errors } = this.addAttendees(m, items);
    return { Attendees: attendees, Errors: errors };
  }

  private deleteAttendee(region: string, input: Input): undefined {
    const m = this.meeting(region, input);
    const a = this.attendee(m, input);
    m.attendees.delete(a.attendeeId);
    m.byExternalUserId.delete(a.externalUserId);
    this.dropConnection(m, a.attendeeId);
    return undefined;
  }

  private listAttendees(region: string, input: Input): Input {
    const m = this.meeting(region, input);
    const max = (input.MaxResults as number | undefined) ?? 10;
    let after = 0;
    const token = input.NextToken as string | undefined;
    if (token !== undefined) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      const [id, seq] = decoded.split('/');
      if (id !== m.meetingId || !seq || !/^\d+$/.test(seq)) throw badRequest('Invalid NextToken');
      after = Number(seq);
    }
    const page: Input[] = [];
    let last = after;
    let more = false;
    for (const a of m.attendees.values()) {
      if (a.seq <= after) continue;
      if (page.length === max) {
        more = true;
        break;
      }
      page.push(attendeeOut(a));
      last = a.seq;
    }
    return {
      Attendees: page,
      ...(more ? { NextToken: Buffer.from(`${m.meetingId}/${last}`).toString('base64url') } : {}),
    };
  }

  private updateAttendeeCapabilities(region: string, input: Input): Input {
    const m = this.meeting(region, input);
    const a = this.attendee(m, input);
    const caps = input.Capabilities as Capabilities;
    checkCapabilities(caps, m.features);
    a.capabilities = { ...caps };
    return { Attendee: attendeeOut(a) };
  }

  private batchUpdateExcept(region: string, input: Input): undefined {
    const m = this.meeting(region, input);
    const caps = input.Capabilities as Capabilities;
    checkCapabilities(caps, m.features);
    const excluded = new Set(
      (input.ExcludedAttendeeIds as Array<{ AttendeeId: string }>).map((x) => x.AttendeeId),
    );
    for (const a of m.attendees.values()) if (!excluded.has(a.attendeeId)) a.capabilities = { ...caps };
    return undefined;
  }

  private startTranscription(region: string, input: Input): undefined {
    const m = this.meeting(region, input);
    const config = input.TranscriptionConfiguration as Input;
    checkTranscription(config);
    this.requirePrimary(m);
    if (m.transcription) throw badRequest(`Transcription is already started for meeting ${m.meetingId}`);
    m.transcription = structuredClone(config);
    return undefined;
  }

  private stopTranscription(region: string, input: Input): undefined {
    const m = this.meeting(region, input);
    this.requirePrimary(m);
    m.transcription = undefined;
    return undefined;
  }

  /** Emulator choice: transcription runs on the primary, whose media the replicas carry. */
  private requirePrimary(m: MeetingRecord): void {
    if (m.primaryMeetingId !== undefined) {
      throw new ApiError(
        'UnprocessableEntityException',
        `Meeting ${m.meetingId} is a replica of ${m.primaryMeetingId}; transcription is controlled on the primary`,
      );
    }
  }

  private taggedMeeting(region: string, input: Input): MeetingRecord {
    const arn = input.ResourceARN as string;
    const parsed = ARN.exec(arn);
    const m = parsed?.[4] ? this.meetings.get(parsed[4]) : undefined;
    if (!m || m.arn !== arn || m.controlRegion !== region) {
      throw new ApiError('ResourceNotFoundException', `The resource ${arn} does not exist`, {
        resourceName: arn,
      });
    }
    return m;
  }

  private tagList(m: MeetingRecord): Tag[] {
    return [...m.tags].map(([Key, Value]) => ({ Key, Value }));
  }

  private tagResource(region: string, input: Input): undefined {
    const m = this.taggedMeeting(region, input);
    const tags = input.Tags as Tag[];
    checkTags(tags);
    const keys = new Set([...m.tags.keys(), ...tags.map((t) => t.Key)]);
    if (keys.size > 50) {
      throw new ApiError(
        'TooManyTagsException',
        `A resource can have at most 50 tags (would have ${keys.size})`,
        {
          resourceName: m.arn,
        },
      );
    }
    for (const t of tags) m.tags.set(t.Key, t.Value);
    return undefined;
  }

  private untagResource(region: string, input: Input): undefined {
    const m = this.taggedMeeting(region, input);
    for (const key of input.TagKeys as string[]) m.tags.delete(key);
    return undefined;
  }
}

export function errorResponse(err: ApiError, requestId: string): ApiResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': err.type,
    'x-amzn-RequestId': requestId,
  };
  if (err.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.extra.retryAfterSeconds);
  const body: Input = { Code: err.code, Message: err.message, RequestId: requestId };
  if (err.extra.resourceName !== undefined) body.ResourceName = err.extra.resourceName;
  return { status: err.status, headers, body: JSON.stringify(body) };
}
