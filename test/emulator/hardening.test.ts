/**
 * Bounded inputs: the body limit is enforced before the body is read, routes and credentials are checked before
 * it too, the admin API can require a token, clock advances and config patches are bounded, only known control
 * Regions pass, and the SigV4 header is parsed in linear time (its speed is measured in
 * bench/emulator-throughput.ts, not here).
 */
import { ForbiddenException, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import {
  ConfigPatchError,
  MAX_AUTHORIZATION_LENGTH,
  parseCredentialScope,
  startEmulator,
  type RunningEmulator,
} from '../../emulator';
import { CONTROL_REGIONS } from '../../domain/regions';
import {
  authHeader,
  clientFor,
  createMeeting,
  rawRequest,
  rejection,
  startTestEmulator,
  type RawAnswer,
} from './helpers';

const GHOST = '11111111-1111-1111-1111-111111111111';
const MiB = 1024 * 1024;

function answered(a: RawAnswer | 'no answer'): RawAnswer {
  if (a === 'no answer') throw new Error('the emulator did not answer before the body was sent');
  return a;
}

/** Announces a body of `bytes` and sends none of it: only an answer that needs no body can come. */
async function announce(
  emu: RunningEmulator,
  method: string,
  path: string,
  bytes: number,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return answered(await rawRequest(emu, { method, path, headers: { ...headers, 'content-length': bytes } }));
}

describe('request bodies', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => emu.close());
  beforeEach(() => emu.reset());

  it('a Content-Length over 1 MiB is answered 413 before any of the body is sent', async () => {
    const res = await announce(emu, 'POST', '/meetings', 2 * MiB, {
      authorization: authHeader(),
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
    expect(res.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({
      Code: 'RequestEntityTooLarge',
      Message: 'The request body is larger than 1048576 bytes',
    });
    expect(emu.state().operations.CreateMeeting).toEqual({ calls: 1, succeeded: 0, throttled: 0, failed: 1 });
  });

  it('a chunked body is cut off with 413 once it passes 1 MiB, while the client is still sending', async () => {
    let sent = 0;
    const res = answered(
      await rawRequest(emu, {
        method: 'POST',
        path: '/meetings',
        headers: {
          authorization: authHeader(),
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
        write: (req) => {
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let answer = false;
          req.once('response', () => (answer = true));
          const pump = (): void => {
            if (answer || req.destroyed || sent >= 8 * MiB) return;
            sent += chunk.length;
            if (req.write(chunk)) setImmediate(pump);
            else req.once('drain', pump);
          };
          pump();
        },
      }),
    );
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(8 * MiB);
    expect(emu.state().totals.meetingsCreated).toBe(0);
  });

  it('a body just under the limit is read and answered normally', async () => {
    const body = JSON.stringify({
      ClientRequestToken: 'near-limit',
      MediaRegion: 'us-east-1',
      ExternalMeetingId: 'near-limit',
      Padding: ' '.repeat(MiB - 200),
    });
    const res = answered(
      await rawRequest(emu, {
        method: 'POST',
        path: '/meetings',
        headers: { authorization: authHeader(), 'content-type': 'application/json' },
        write: (req) => req.end(body),
      }),
    );
    expect(Buffer.byteLength(body)).toBeLessThan(MiB);
    expect(res.status).toBe(200);
  });

  it('an unknown route is answered 404 without reading the body it announces', async () => {
    const res = await announce(emu, 'POST', '/nothing-here', 400 * MiB, { authorization: authHeader() });
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('UnknownOperationException');
  });

  it('a request without credentials is answered 403 without reading its body', async () => {
    const res = await announce(emu, 'POST', '/meetings', 400 * MiB);
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('ForbiddenException');
  });

  it('admin routes: unknown ones answer 404 unread, known ones limit the body to 1 MiB', async () => {
    const unknown = await announce(emu, 'POST', '/_emulator/nothing', 400 * MiB);
    expect(unknown.status).toBe(404);
    const config = await announce(emu, 'PUT', '/_emulator/config', 2 * MiB);
    expect(config.status).toBe(413);
  });
});

describe('admin token', () => {
  const TOKEN = 'admin-token-for-tests-0123456789';
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ adminToken: TOKEN, config: { rateLimits: { enabled: false } } });
  });
  afterAll(async () => emu.close());

  it('with a token set, admin requests without it or with another one get 401; with it they work', async () => {
    const none = await fetch(`${emu.endpoint}/_emulator/state`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await none.json()).toEqual({ error: 'the admin API needs Authorization: Bearer <admin token>' });
    const wrong = await fetch(`${emu.endpoint}/_emulator/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${emu.endpoint}/_emulator/state`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
  });

  it('the token is checked before the route and the body', async () => {
    const res = await announce(emu, 'PUT', '/_emulator/anything', 400 * MiB);
    expect(res.status).toBe(401);
  });

  it('the API itself is unaffected (it needs SigV4, not the admin token)', async () => {
    const client = clientFor(emu);
    try {
      await createMeeting(client);
      expect(emu.state().totals.meetingsCreated).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('a blank, short or spaced token is refused at start-up', async () => {
    for (const adminToken of ['', '                ', 'short', 'has a space in the middle'])
      await expect(startEmulator({ adminToken })).rejects.toThrow(
        'the emulator admin token must be at least 16 characters without whitespace',
      );
  });
});

describe('bounded admin input', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => emu.close());

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${emu.endpoint}${path}`, { method: 'POST', body });

  it.each([
    ['1e300', '{"ms":1e300}'],
    ['a negative number', '{"ms":-5}'],
    ['more than a year', '{"ms":31700000000}'],
    ['a string', '{"ms":"300000"}'],
  ])('clock/advance refuses %s with 400 naming ms, and /state keeps working', async (_, body) => {
    const before = Date.parse(emu.state().now);
    const res = await post('/_emulator/clock/advance', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'ms' });
    const state = await fetch(`${emu.endpoint}/_emulator/state`);
    expect(state.status).toBe(200);
    const now = Date.parse(((await state.json()) as { now: string }).now);
    expect(now - before).toBeLessThan(60_000);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'PUT /config refuses a %s key at any depth with 400 naming it, and changes nothing',
    async (key) => {
      const before = emu.configure({});
      for (const [patch, field] of [
        [`{"${key}":{"accountId":"999999999999"}}`, key],
        [`{"faults":{"operations":{"${key}":{"latencyMs":100000}}}}`, `faults.operations.${key}`],
        [`{"limits":{"${key}":{"attendeesPerMeeting":1}}}`, `limits.${key}`],
      ] as const) {
        const res = await fetch(`${emu.endpoint}/_emulator/config`, { method: 'PUT', body: patch });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ field, error: `${field}: this key is not allowed in a config` });
      }
      expect(emu.configure({})).toEqual(before);
      expect(() => emu.configure(JSON.parse(`{"${key}":{}}`) as object)).toThrow(ConfigPatchError);
    },
  );

  it('calls stay fast after a refused __proto__ latency patch (it never reached the fault settings)', async () => {
    await fetch(`${emu.endpoint}/_emulator/config`, {
      method: 'PUT',
      body: '{"faults":{"operations":{"__proto__":{"latencyMs":60000}}}}',
    });
    const client = clientFor(emu);
    try {
      const abort = AbortSignal.timeout(10_000);
      const err = await rejection(
        client.send(new GetMeetingCommand({ MeetingId: GHOST }), { abortSignal: abort }),
      );
      expect(err.name).toBe('NotFoundException');
    } finally {
      client.destroy();
    }
  });

  it('fault and rate-limit entries must name an operation (or * for faults), and fault rates add up to at most 1', async () => {
    for (const [patch, message] of [
      [
        { faults: { operations: { CreateMeting: { serviceFailureRate: 1 } } } },
        'faults.operations.CreateMeting names no operation',
      ],
      [
        { rateLimits: { operations: { GetMeetings: { ratePerSecond: 1, burst: 1 } } } },
        'rateLimits.operations.GetMeetings names no operation',
      ],
      [
        {
          faults: { operations: { '*': { serviceFailureRate: 0.6 }, GetMeeting: { lostResponseRate: 0.6 } } },
        },
        'faults.GetMeeting: the rates add up to 1.2 (with *), more than 1',
      ],
    ] as const) {
      expect(() => emu.configure(patch)).toThrow(message);
    }
  });
});

describe('control Regions', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({
      rateLimits: { enabled: true, perOperation: { ratePerSecond: 0.001, burst: 1 } },
    });
  });
  afterAll(async () => emu.close());

  it('a credential scope naming a Region without a meetings endpoint is refused with 403 before the rate limiter', async () => {
    for (const region of ['eu-west-1', 'xx-none-1', 'us-east-1x']) {
      const client = clientFor(emu, region);
      try {
        const err = await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })));
        expect(err).toBeInstanceOf(ForbiddenException);
        expect(err.message).toBe(
          `Credential should be scoped to a valid Region: '${region}' has no Chime SDK meetings API endpoint ` +
            `(control Regions: us-east-1, us-west-2, eu-central-1, ap-southeast-1, us-gov-east-1, us-gov-west-1)`,
        );
      } finally {
        client.destroy();
      }
    }
    // Every refusal was a 403, none a 429: no bucket was made for those Regions.
    expect(emu.state().operations.GetMeeting).toEqual({ calls: 3, succeeded: 0, throttled: 0, failed: 3 });
  });

  it('every control Region is accepted', async () => {
    for (const region of CONTROL_REGIONS) {
      const client = clientFor(emu, region);
      try {
        expect((await rejection(client.send(new GetMeetingCommand({ MeetingId: GHOST })))).name).toBe(
          'NotFoundException',
        );
      } finally {
        client.destroy();
      }
    }
  });
});

describe('SigV4 Authorization parser', () => {
  const VALID =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd';

  it('reads the credential scope of a real header', () => {
    expect(parseCredentialScope(VALID)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20260101',
      region: 'us-west-2',
      service: 'chime',
    });
  });

  it.each([
    ['another algorithm', VALID.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')],
    ['no Credential', 'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abcd'],
    ['two Credentials', `${VALID}, Credential=AKID/20260101/us-east-1/chime/aws4_request`],
    ['a short scope', 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/aws4_request'],
    ['a bad date', VALID.replace('20260101', '2026-01-01')],
    ['a bad terminator', VALID.replace('aws4_request', 'aws5_request')],
    ['an upper-case Region', VALID.replace('us-west-2', 'US-WEST-2')],
  ])('refuses %s', (_, header) => {
    expect(parseCredentialScope(header)).toBeUndefined();
  });

  it(`refuses a header over ${MAX_AUTHORIZATION_LENGTH} characters, e.g. the 64 KB one that made the old regex quadratic`, () => {
    const huge = `AWS4-HMAC-SHA256 ${'Credential='.repeat(6_000)}`;
    expect(parseCredentialScope(huge)).toBeUndefined();
    const justUnder = `${VALID}, X=${'a'.repeat(MAX_AUTHORIZATION_LENGTH - VALID.length - 4)}`;
    expect(justUnder.length).toBe(MAX_AUTHORIZATION_LENGTH);
    expect(parseCredentialScope(justUnder)?.region).toBe('us-west-2');
    expect(parseCredentialScope(`${justUnder}a`)).toBeUndefined();
  });

  it('an oversize header on the wire is a 401 UnauthorizedException', async () => {
    const emu = await startTestEmulator();
    try {
      const res = answered(
        await rawRequest(emu, {
          method: 'GET',
          path: `/meetings/${GHOST}`,
          headers: { authorization: `AWS4-HMAC-SHA256 Credential=${'a/'.repeat(4096)}` },
        }),
      );
      expect(res.status).toBe(401);
      expect(res.headers['x-amzn-errortype']).toBe('UnauthorizedException');
    } finally {
      await emu.close();
    }
  });
});
