/** The roster's entries: external user ID, role and optional Region, each ID once. */
import type { AttendeeRole, AttendeeSpec } from '../types';
import { checkEnum, checkKnownKeys, isAbsent, quoteList, requireObject, type Errors } from './fields';
import { checkExternalUserId, checkMediaRegion } from './identifiers';

const ROLES: readonly AttendeeRole[] = ['host', 'speaker', 'viewer'];
const ATTENDEE_FIELDS = ['externalUserId', 'role', 'region'] as const;

/** Validates a list of attendees (each on its own and no duplicate externalUserId); undefined if any is bad. */
export function checkAttendees(items: unknown[], path: string, errors: Errors): AttendeeSpec[] | undefined {
  const attendees: AttendeeSpec[] = [];
  const firstIndex = new Map<string, number>();
  let ok = true;
  items.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!requireObject(item, at, errors, 'an object {externalUserId, role, region?}')) {
      ok = false;
      return;
    }
    const before = errors.count;
    checkKnownKeys(item, ATTENDEE_FIELDS, at, errors);
    const { externalUserId, role, region } = item;
    if (isAbsent(externalUserId)) errors.add(`${at}.externalUserId`, 'is required');
    else if (checkExternalUserId(externalUserId, `${at}.externalUserId`, errors)) {
      const first = firstIndex.get(externalUserId);
      if (first !== undefined) {
        errors.add(
          `${at}.externalUserId`,
          `duplicates ${path}[${first}].externalUserId; every externalUserId must be unique`,
        );
      } else firstIndex.set(externalUserId, index);
    }
    if (isAbsent(role)) errors.add(`${at}.role`, `is required; one of: ${quoteList(ROLES)}`);
    else checkEnum(role, ROLES, `${at}.role`, errors);
    if (!isAbsent(region)) checkMediaRegion(region, `${at}.region`, errors);
    if (errors.count > before) {
      ok = false;
      return;
    }
    const attendee: AttendeeSpec = { externalUserId: externalUserId as string, role: role as AttendeeRole };
    if (!isAbsent(region)) attendee.region = region as string;
    attendees.push(attendee);
  });
  return ok ? attendees : undefined;
}
