/**
 * The join API's snapshots of the credential store (client/join-api/credential-snapshots.ts), on a real PGlite
 * store: many joins of one webinar read its rows once; a write, a capability update or a removal is answered by
 * the first join once STORE_CHECK_MS has passed, and not a query more before.
 */
import { openCredentialStore, type SqlCredentialStore } from '../../activities/credentials';
import { credentialSnapshots, STORE_CHECK_MS } from '../../client/join-api/credential-snapshots';
import { attendee, meeting } from '../support/credential-store-cases';

jest.setTimeout(60_000);

let store: SqlCredentialStore;
beforeAll(async () => {
  store = await openCredentialStore({ engine: 'pglite' }, undefined);
});
afterAll(async () => {
  await store?.close();
});

function counted() {
  const calls = { versions: 0, reads: 0 };
  const source = {
    webinarVersion: (id: string) => {
      calls.versions += 1;
      return store.webinarVersion(id);
    },
    readWebinar: (id: string) => {
      calls.reads += 1;
      return store.readWebinar(id);
    },
  };
  return { calls, source };
}

it('reads a webinar once for many joins at once, and answers what getAll answers', async () => {
  await store.putMeeting('w-many', meeting('m-many'));
  const people = Array.from({ length: 200 }, (_, i) => attendee(`viewer-${i}@example.com`));
  await store.putAttendees('w-many', 'm-many', people);
  const { calls, source } = counted();
  const snapshots = credentialSnapshots(source);
  const answers = await Promise.all(people.map((p) => snapshots.getAll('w-many', p.ExternalUserId ?? '')));
  expect(calls).toEqual({ versions: 1, reads: 1 });
  for (const [i, p] of people.entries()) {
    expect(answers[i]).toEqual(await store.getAll('w-many', p.ExternalUserId ?? ''));
  }
  expect(await snapshots.getAll('w-many', 'nobody')).toEqual([]);
});

it('answers a change at the first join STORE_CHECK_MS after, reading again only when the store changed', async () => {
  let t = 1_000_000;
  const { calls, source } = counted();
  const snapshots = credentialSnapshots(source, { now: () => t });
  await store.putMeeting('w-change', meeting('p'));
  await store.putMeeting('w-change', meeting('r', 'p'));
  const viewer = attendee('viewer');
  await store.putAttendees('w-change', 'r', [viewer, attendee('other')]);
  expect(await snapshots.getAll('w-change', 'viewer')).toHaveLength(1);

  // Promoted: a second row, in the primary. Not seen within the check interval, seen at its end.
  const promoted = attendee('viewer');
  await store.putAttendees('w-change', 'p', [promoted]);
  t += STORE_CHECK_MS - 1;
  expect(await snapshots.getAll('w-change', 'viewer')).toHaveLength(1);
  t += 1;
  expect((await snapshots.getAll('w-change', 'viewer')).map((c) => c.meeting.MeetingId)).toEqual(['p', 'r']);
  expect(calls).toEqual({ versions: 2, reads: 2 });

  // Nothing changed: the version is asked, the rows are not read again.
  t += STORE_CHECK_MS;
  await snapshots.getAll('w-change', 'viewer');
  expect(calls).toEqual({ versions: 3, reads: 2 });

  // A capability update, then a removal.
  const send = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;
  await store.setCapabilities('r', { attendeeId: viewer.AttendeeId ?? '' }, send);
  t += STORE_CHECK_MS;
  const updated = await snapshots.getAll('w-change', 'viewer');
  expect(updated.find((c) => c.meeting.MeetingId === 'r')?.attendee.Capabilities).toEqual(send);
  await store.deleteAttendee('r', viewer.AttendeeId ?? '');
  await store.deleteAttendee('p', promoted.AttendeeId ?? '');
  t += STORE_CHECK_MS;
  expect(await snapshots.getAll('w-change', 'viewer')).toEqual([]);
  expect(await snapshots.getAll('w-change', 'other')).toHaveLength(1);
});
