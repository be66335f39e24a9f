/**
 * The demo's join API with the join page (client/join-api/), in this process on a free loopback port, reading the
 * worker's own credential store: join links printed for the host and the viewer the operator promotes open the
 * page while the demo runs, and the demo posts both tokens itself once that viewer is on stage.
 * JOIN_LINK_KEYS signs the links when set; otherwise a key made at random for this run.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { joinLinkKeysFromEnv, mintJoinToken } from '../../client/library/join-link';
import type { EncryptionKey } from '../../client/temporal/codec';
import { joinPage } from '../../client/join-api/page';
import { describePhase } from '../../client/join-api/published-phase';
import { startJoinApi, type RunningJoinApi } from '../../client/join-api/server';
import type { CredentialStore } from '../../domain/credentials';
import type { WebinarSpec } from '../../domain/types';

export interface DemoJoin {
  api: RunningJoinApi;
  keys: EncryptionKey[];
  /** Where the keys came from: JOIN_LINK_KEYS, or made for this run. */
  keysFrom: 'JOIN_LINK_KEYS' | 'random';
}

export async function startDemoJoin(client: Client, store: CredentialStore): Promise<DemoJoin> {
  const fromEnv = joinLinkKeysFromEnv();
  const keys = fromEnv ?? [{ id: 'demo', key: randomBytes(32) }];
  const api = await startJoinApi({
    port: 0,
    store,
    linkKeys: keys,
    phaseOf: (webinarId) => describePhase(client, webinarId),
    page: joinPage(),
  });
  return { api, keys, keysFrom: fromEnv ? 'JOIN_LINK_KEYS' : 'random' };
}

function token(join: DemoJoin, spec: WebinarSpec, externalUserId: string): string {
  return mintJoinToken(
    { webinarId: spec.webinarId, externalUserId, expiresAt: new Date(spec.endAt) },
    join.keys,
  );
}

/** `<page>#<token>` for each attendee, one line each. */
export function joinLinkLines(join: DemoJoin, spec: WebinarSpec, externalUserIds: string[]): string[] {
  const width = Math.max(...externalUserIds.map((id) => id.length));
  return externalUserIds.map(
    (id) => `        ${id.padEnd(width)}  ${join.api.url}/join#${token(join, spec, id)}`,
  );
}

interface Seat {
  Meeting?: { MeetingId?: string; MediaRegion?: string };
}

/** What POST /v1/join answers for the attendee's link, in one line. */
export async function joinAnswerLine(
  join: DemoJoin,
  spec: WebinarSpec,
  externalUserId: string,
): Promise<string> {
  const response = await fetch(`${join.api.url}/v1/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: token(join, spec, externalUserId) }),
  });
  const body = (await response.json()) as Seat & { role?: string; error?: string; Primary?: Seat };
  const where = (s: Seat | undefined): string =>
    `${s?.Meeting?.MeetingId ?? '?'} (${s?.Meeting?.MediaRegion ?? '?'})`;
  if (response.status !== 200) return `join ${externalUserId}: ${response.status} ${body.error ?? ''}`.trim();
  const primary = body.Primary ? `, on stage in ${where(body.Primary)}` : '';
  return `join ${externalUserId}: ${body.role ?? '?'} in meeting ${where(body)}${primary}`;
}
