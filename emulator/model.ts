import * as fs from 'node:fs';
import * as path from 'node:path';
import { MEDIA_REGIONS as DOMAIN_MEDIA_REGIONS } from '../domain/regions';
import { MAX_ATTENDEES_WITH_MEETING } from './rules/limits';

/** The parts of a botocore-style service-2.json that the emulator reads. */
export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers';
  locationName?: string;
  idempotencyToken?: boolean;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  error?: { httpStatusCode: number };
  exception?: boolean;
  /** Emulator overlay (from the service documentation): values may not start with this prefix (any case). */
  reservedPrefix?: string;
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
  errors?: Array<{ shape: string }>;
}

export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/**
 * Constraints that the service documents but the published model leaves out. They are applied on top of the
 * model at load time (the JSON file itself stays a verbatim copy).
 */
export const EXTERNAL_ID_PATTERN = `[-_&@+=,(){}\\[\\]\\/«».:|'"#a-zA-Z0-9À-ÿ\\s]*`;
/** The documented MediaRegion list (the model types MediaRegion as a plain string); one list for the project. */
export const MEDIA_REGIONS: readonly string[] = DOMAIN_MEDIA_REGIONS;

let cached: ServiceModel | undefined;

export function loadModel(): ServiceModel {
  if (cached) return cached;
  const raw = fs.readFileSync(path.join(__dirname, 'service-2.json'), 'utf8');
  const model = JSON.parse(raw) as ServiceModel;
  for (const name of ['ExternalUserId', 'ExternalMeetingId']) {
    const shape = model.shapes[name];
    if (shape) {
      shape.pattern = EXTERNAL_ID_PATTERN;
      shape.reservedPrefix = 'aws:';
    }
  }
  const mediaRegion = model.shapes.MediaRegion;
  if (mediaRegion) mediaRegion.enum = [...MEDIA_REGIONS];
  // The model says 20; the service takes 10 (see rules/limits.ts).
  const withAttendees = model.shapes.CreateMeetingWithAttendeesRequestItemList;
  if (withAttendees) withAttendees.max = MAX_ATTENDEES_WITH_MEETING;
  cached = model;
  return model;
}

function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function describeLimit(value: number): string {
  return String(value);
}

/**
 * A generic validator driven by the model: required members, types, string lengths, patterns (matched against
 * the whole value, as the service does), enums, list bounds and integer ranges. Messages follow the service's
 * "N validation errors detected: Value ... at '...' failed to satisfy constraint: ..." form.
 */
export class Validator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly model: ServiceModel) {}

  validate(shapeName: string, value: unknown): string[] {
    const errors: string[] = [];
    this.check(shapeName, value, '', errors);
    return errors;
  }

  private regex(shapeName: string, pattern: string): RegExp {
    let re = this.patterns.get(shapeName);
    if (!re) {
      const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
      re = new RegExp(`^(?:${body})$`);
      this.patterns.set(shapeName, re);
    }
    return re;
  }

  private check(shapeName: string, value: unknown, at: string, errors: string[]): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`unknown shape ${shapeName}`);
    const shown = (v: unknown): string => (shape.sensitive ? 'Value' : `Value '${String(v)}'`);
    const fail = (v: unknown, constraint: string): void => {
      errors.push(`${shown(v)} at '${at}' failed to satisfy constraint: Member must ${constraint}`);
    };
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          fail(JSON.stringify(value), 'be a structure');
          return;
        }
        const record = value as Record<string, unknown>;
        for (const req of shape.required ?? []) {
          if (record[req] === undefined || record[req] === null) {
            errors.push(
              `Value null at '${at ? `${at}.` : ''}${lowerCamel(req)}' failed to satisfy constraint: Member must not be null`,
            );
          }
        }
        for (const [name, ref] of Object.entries(shape.members ?? {})) {
          const member = record[name];
          if (member === undefined || member === null) continue;
          this.check(ref.shape, member, `${at ? `${at}.` : ''}${lowerCamel(name)}`, errors);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) {
          fail(JSON.stringify(value), 'be a list');
          return;
        }
        if (shape.min !== undefined && value.length < shape.min) {
          fail(`[${value.length} items]`, `have length greater than or equal to ${describeLimit(shape.min)}`);
        }
        if (shape.max !== undefined && value.length > shape.max) {
          fail(`[${value.length} items]`, `have length less than or equal to ${describeLimit(shape.max)}`);
        }
        const memberShape = shape.member?.shape;
        if (!memberShape) return;
        value.forEach((item, i) => this.check(memberShape, item, `${at}.${i + 1}.member`, errors));
        return;
      }
      case 'string': {
        if (typeof value !== 'string') {
          fail(JSON.stringify(value), 'be a string');
          return;
        }
        if (shape.min !== undefined && value.length < shape.min) {
          fail(value, `have length greater than or equal to ${shape.min}`);
        }
        if (shape.max !== undefined && value.length > shape.max) {
          fail(value, `have length less than or equal to ${shape.max}`);
        }
        if (shape.pattern !== undefined && !this.regex(shapeName, shape.pattern).test(value)) {
          fail(value, `satisfy regular expression pattern: ${shape.pattern}`);
        }
        if (shape.enum && !shape.enum.includes(value)) {
          fail(value, `satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        if (shape.reservedPrefix && value.toLowerCase().startsWith(shape.reservedPrefix)) {
          fail(value, `not begin with the reserved prefix '${shape.reservedPrefix}'`);
        }
        return;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          fail(JSON.stringify(value), 'be an integer');
          return;
        }
        if (shape.min !== undefined && value < shape.min) {
          fail(value, `have value greater than or equal to ${shape.min}`);
        }
        if (shape.max !== undefined && value > shape.max) {
          fail(value, `have value less than or equal to ${shape.max}`);
        }
        return;
      }
      case 'boolean': {
        if (typeof value !== 'boolean') fail(JSON.stringify(value), 'be a boolean');
        return;
      }
      default:
        return;
    }
  }
}

export function validationMessage(errors: string[]): string {
  return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;
}

/** One HTTP binding of an operation, derived from `http.requestUri`. */
export interface Route {
  operation: string;
  method: string;
  segments: Array<{ literal: string } | { label: string }>;
  query: Array<[string, string]>;
  inputShape?: string;
  outputShape?: string;
  responseCode: number;
}

export interface RouteMatch {
  route: Route;
  labels: Record<string, string>;
}

export class Router {
  readonly routes: Route[];

  constructor(model: ServiceModel) {
    this.routes = Object.values(model.operations)
      .map((op): Route => {
        const [pathPart = '', queryPart] = op.http.requestUri.split('?');
        const segments = pathPart
          .split('/')
          .filter((s) => s !== '')
          .map((s) => (s.startsWith('{') && s.endsWith('}') ? { label: s.slice(1, -1) } : { literal: s }));
        const query: Array<[string, string]> = [];
        for (const pair of (queryPart ?? '').split('&')) {
          if (!pair) continue;
          const [k = '', v = ''] = pair.split('=');
          query.push([k, v]);
        }
        return {
          operation: op.name,
          method: op.http.method,
          segments,
          query,
          inputShape: op.input?.shape,
          outputShape: op.output?.shape,
          responseCode: op.http.responseCode ?? 200,
        };
      })
      // Routes with literal query constraints (operation=...) win over the bare path.
      .sort((a, b) => b.query.length - a.query.length);
  }

  match(method: string, pathname: string, query: URLSearchParams): RouteMatch | undefined {
    const parts = pathname.split('/').filter((s) => s !== '');
    outer: for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const labels: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i];
        const part = parts[i] ?? '';
        if (!seg) continue outer;
        if ('literal' in seg) {
          if (seg.literal !== part) continue outer;
        } else {
          try {
            labels[seg.label] = decodeURIComponent(part);
          } catch {
            continue outer;
          }
        }
      }
      for (const [k, v] of route.query) if (query.get(k) !== v) continue outer;
      return { route, labels };
    }
    return undefined;
  }
}
