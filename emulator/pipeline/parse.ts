/** The input of a call: the JSON body plus the members bound to the URI, query and headers, then validated. */
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../errors';
import { validationMessage, type RouteMatch, type ServiceModel, type Validator } from '../model';
import type { Input } from '../store/records';

export interface ParseRequest {
  match: RouteMatch;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export function parseInput(model: ServiceModel, validator: Validator, req: ParseRequest): Input {
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
  const shape = model.shapes[route.inputShape];
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
    const type = model.shapes[ref.shape]?.type;
    if (type === 'integer' || type === 'long') {
      if (!/^-?\d+$/.test(value)) throw badRequest(`Value '${value}' at '${key}' is not an integer`);
      input[name] = Number(value);
    } else input[name] = value;
  }
  const errors = validator.validate(route.inputShape, input);
  if (errors.length > 0) throw badRequest(validationMessage(errors));
  return input;
}
