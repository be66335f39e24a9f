/**
 * The capacity calendar's configuration as the CLI reads it from the environment: every variable parsed, and bad
 * values refused with an error naming the variable.
 */
import { calendarConfigFromEnv } from '../../client/library/calendar';

describe('calendarConfigFromEnv', () => {
  it('reads the policy, the Regions to choose from, the default Region and the adaptive lead', () => {
    expect(
      calendarConfigFromEnv({
        WEBINAR_CALENDAR_POLICY: 'least-committed',
        WEBINAR_CALENDAR_REGIONS: 'us-east-1, us-west-2',
        CHIME_REGION: 'us-east-1',
        WEBINAR_CALENDAR_ADAPTIVE_LEAD: 'off',
      }),
    ).toEqual({
      policy: 'least-committed',
      controlRegions: ['us-east-1', 'us-west-2'],
      defaultControlRegion: 'us-east-1',
      adaptiveLead: false,
    });
    expect(calendarConfigFromEnv({ WEBINAR_CALENDAR_ADAPTIVE_LEAD: 'on' })).toEqual({ adaptiveLead: true });
  });

  it('leaves every setting to its default when nothing is set', () => {
    expect(calendarConfigFromEnv({})).toEqual({});
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => calendarConfigFromEnv({ WEBINAR_CALENDAR_ADAPTIVE_LEAD: 'yes' })).toThrow(
      "WEBINAR_CALENDAR_ADAPTIVE_LEAD must be on or off, got 'yes'",
    );
    expect(() => calendarConfigFromEnv({ WEBINAR_CALENDAR_POLICY: 'maybe' })).toThrow(
      "WEBINAR_CALENDAR_POLICY must be one of warn, refuse, least-committed, got 'maybe'",
    );
    expect(() => calendarConfigFromEnv({ WEBINAR_CALENDAR_REGIONS: 'us-east-1,mars-1' })).toThrow(
      'WEBINAR_CALENDAR_REGIONS has no control Region mars-1',
    );
  });
});
