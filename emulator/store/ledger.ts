/**
 * What was created, by idempotency key, so a test can prove "nothing created twice" from the emulator alone:
 * one meeting per ClientRequestToken (per control Region) and one attendee per ExternalUserId per meeting, even
 * across a meeting's end or an attendee's deletion, which the live state forgets.
 */

/** Keys of ended meetings kept to notice a token that creates a second meeting; the oldest go first past it. */
const TOKENS_KEPT = 100_000;
/** Duplicates listed in the state (each list); the counts stay exact past it. */
const DUPLICATES_LISTED = 100;

export interface MeetingDuplicate {
  controlRegion: string;
  clientRequestToken: string;
  /** Meetings this token has created so far. */
  meetings: number;
}

export interface AttendeeDuplicate {
  meetingId: string;
  externalUserId: string;
  /** Attendees created with this ExternalUserId in this meeting so far. */
  attendees: number;
}

export interface CreationTotals {
  meetings: {
    /** Meetings created (same as totals.meetingsCreated). */
    created: number;
    /** Distinct ClientRequestTokens (per control Region) that created a meeting: equals `created` when none created two. */
    tokens: number;
    duplicates: MeetingDuplicate[];
  };
  attendees: {
    /** Attendees created (same as totals.attendeesCreated). */
    created: number;
    /** Distinct (meeting, ExternalUserId) pairs created: equals `created` when none was created twice. */
    externalUserIds: number;
    duplicates: AttendeeDuplicate[];
  };
}

export class CreationLedger {
  private tokenUses = new Map<string, number>();
  /** Per meeting: ExternalUserId → attendees created with it and since deleted. */
  private departed = new Map<string, Map<string, number>>();
  private meetingsCreated = 0;
  private meetingRepeats = 0;
  private attendeesCreated = 0;
  private attendeeRepeats = 0;
  private meetingDuplicates = new Map<string, MeetingDuplicate>();
  private attendeeDuplicates = new Map<string, AttendeeDuplicate>();

  meetingCreated(tokenKey: string): void {
    this.meetingsCreated++;
    const uses = (this.tokenUses.get(tokenKey) ?? 0) + 1;
    this.tokenUses.delete(tokenKey);
    this.tokenUses.set(tokenKey, uses);
    if (this.tokenUses.size > TOKENS_KEPT) {
      const oldest = this.tokenUses.keys().next().value;
      if (oldest !== undefined) this.tokenUses.delete(oldest);
    }
    if (uses === 1) return;
    this.meetingRepeats++;
    const [controlRegion = '', clientRequestToken = ''] = tokenKey.split('\n');
    if (this.meetingDuplicates.has(tokenKey) || this.meetingDuplicates.size < DUPLICATES_LISTED) {
      this.meetingDuplicates.set(tokenKey, { controlRegion, clientRequestToken, meetings: uses });
    }
  }

  attendeeCreated(meetingId: string, externalUserId: string): void {
    this.attendeesCreated++;
    const before = this.departed.get(meetingId)?.get(externalUserId) ?? 0;
    if (before === 0) return;
    this.attendeeRepeats++;
    const key = `${meetingId}\n${externalUserId}`;
    if (this.attendeeDuplicates.has(key) || this.attendeeDuplicates.size < DUPLICATES_LISTED) {
      this.attendeeDuplicates.set(key, { meetingId, externalUserId, attendees: before + 1 });
    }
  }

  attendeeDeleted(meetingId: string, externalUserId: string): void {
    let byUser = this.departed.get(meetingId);
    if (!byUser) {
      byUser = new Map();
      this.departed.set(meetingId, byUser);
    }
    byUser.set(externalUserId, (byUser.get(externalUserId) ?? 0) + 1);
  }

  /** An ended meeting takes no attendee any more: what it remembered of deleted ones can go. */
  meetingEnded(meetingId: string): void {
    this.departed.delete(meetingId);
  }

  totals(): CreationTotals {
    return {
      meetings: {
        created: this.meetingsCreated,
        tokens: this.meetingsCreated - this.meetingRepeats,
        duplicates: [...this.meetingDuplicates.values()].map((d) => ({ ...d })),
      },
      attendees: {
        created: this.attendeesCreated,
        externalUserIds: this.attendeesCreated - this.attendeeRepeats,
        duplicates: [...this.attendeeDuplicates.values()].map((d) => ({ ...d })),
      },
    };
  }
}
