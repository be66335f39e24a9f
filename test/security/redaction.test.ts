/**
 * Log redaction (activities/redact.ts through worker/logging.ts), with the production logger at TRACE, the
 * most verbose level: every secret key is redacted at every depth, metadata past the depth limit is
 * "[truncated]" instead of printed, and tokens and credentials are scrubbed from message strings, error
 * messages and stack traces too, while the IDs an on-call engineer needs stay readable.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { MAX_SCRUB_DEPTH, isSecretKey, scrubText } from '../../activities/redact';
import { JsonLogger } from '../../worker/logging';

function traceLogger(): { logger: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new JsonLogger({ level: 'TRACE', write: (l) => lines.push(l) }), lines };
}

/** Shaped like the emulator's and the service's JoinTokens: 96 random bytes, base64url. */
const joinToken = (): string => randomBytes(96).toString('base64url');
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY9';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

describe('log redaction at TRACE', () => {
  it.each([
    'authorization',
    'Authorization',
    'secretAccessKey',
    'AWS_SECRET_ACCESS_KEY',
    'accessKeyId',
    'sessionToken',
    'x-amz-security-token',
    'token',
    'password',
    'taskToken',
    'base64TaskToken',
    'joinToken',
    'JoinToken',
    'join_token',
    'apiKey',
    'refreshToken',
    'cookie',
    'credentials',
    'externalUserId',
    'ExternalMeetingId',
    'PAYLOAD_ENCRYPTION_KEYS',
    'CODEC_SERVER_TOKEN',
    'CODEC_SERVER_TOKENS',
  ])('redacts the value of %s', (key) => {
    const { logger, lines } = traceLogger();
    const value = `v-${randomUUID()}`;
    logger.trace('activity heartbeat', { [key]: value, nested: { list: [{ [key]: value }] } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(value);
    const parsed = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(parsed[key]).toBe('[redacted]');
    expect(parsed.nested).toEqual({ list: [{ [key]: '[redacted]' }] });
  });

  it('keeps the IDs an on-call engineer needs: meeting, attendee, client request token, operation', () => {
    const { logger, lines } = traceLogger();
    const meetingId = randomUUID();
    logger.trace('chime createMeeting ok', {
      meetingId,
      attendeeId: randomUUID(),
      clientRequestToken: 'webinar-42-g0-primary',
      nextToken: 'page-2',
      operation: 'createMeeting',
      controlRegion: 'us-east-1',
    });
    const parsed = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(parsed).toMatchObject({
      meetingId,
      clientRequestToken: 'webinar-42-g0-primary',
      nextToken: 'page-2',
      operation: 'createMeeting',
    });
    expect(isSecretKey('clientRequestToken')).toBe(false);
  });

  it(`writes "[truncated]" past ${MAX_SCRUB_DEPTH} levels, never the deep value in clear`, () => {
    const { logger, lines } = traceLogger();
    const token = joinToken();
    const note = `deep-${randomUUID()}`;
    // A joinToken 7 levels down was printed in clear before (the depth limit returned the rest unscrubbed).
    let deep: Record<string, unknown> = { joinToken: token, note };
    for (let i = 0; i < 6; i++) deep = { [`l${i}`]: deep };
    logger.trace('deep', { deep });
    expect(lines[0]).not.toContain(token);
    expect(lines[0]).not.toContain(note);
    expect(lines[0]).toContain('"[truncated]"');
    // A cycle ends at the depth limit too instead of throwing from JSON.stringify.
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    logger.trace('cycle', { cyclic });
    expect(lines[1]).toContain('"[truncated]"');
  });

  it('scrubs JoinTokens and credentials from the message, string values, error messages and stacks', () => {
    const { logger, lines } = traceLogger();
    const tokens = [joinToken(), joinToken(), joinToken(), joinToken()];
    const bearer = randomBytes(24).toString('hex');
    const signature = randomBytes(32).toString('hex');
    const err = new Error(`attendee created {"JoinToken":"${tokens[2]}"}`);
    err.stack = `Error: JoinToken=${tokens[3]}\n    at createAttendee (/app/dist/activities/chime-activities.js:1:1)`;
    logger.trace(`created attendee with JoinToken ${tokens[0]} for meeting m-1`, {
      detail: `response: {"Attendee":{"JoinToken":"${tokens[1]}"}}`,
      header: `Authorization: Bearer ${bearer}`,
      sigv4: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20260101/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=${signature}`,
      env: `AWS_SECRET_ACCESS_KEY=${SECRET_ACCESS_KEY} AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID}`,
      err,
    });
    const line = lines[0] ?? '';
    for (const secret of [...tokens, bearer, signature, SECRET_ACCESS_KEY, ACCESS_KEY_ID]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as { msg: string; err: { message: string; stack: string } };
    expect(parsed.msg).toBe('created attendee with JoinToken [redacted] for meeting m-1');
    expect(parsed.err.stack).toContain('at createAttendee (/app/dist/activities/chime-activities.js:1:1)');
  });

  it('leaves ordinary text alone: UUIDs, hex hashes, paths, redacted stubs', () => {
    const text = [
      `meeting ${randomUUID()} in us-east-1`,
      `sha256 ${randomBytes(32).toString('hex')}`,
      '/work/wt/security/node_modules/@temporalio/worker/lib/activity.js:235',
      'ExternalUserId al…#1a2b3c4d',
      'webinar-2026-12-01-quarterly-all-hands-g0-replica-3',
    ].join('\n');
    expect(scrubText(text)).toBe(text);
  });
});
