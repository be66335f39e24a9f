/**
 * AWS Regions the Chime SDK meetings service knows, and an approximate geography of them for placing
 * viewers in the nearest replica. Pure and deterministic: safe in the workflow sandbox.
 */

/** MediaRegion values accepted by CreateMeeting (service model 2021-07-15), commercial and GovCloud. */
export const MEDIA_REGIONS = [
  'af-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-east-1',
  'us-gov-west-1',
] as const;

/** Regions with a Chime SDK meetings API endpoint (control Regions). */
export const CONTROL_REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'us-gov-east-1',
  'us-gov-west-1',
] as const;

const MEDIA_REGION_SET: ReadonlySet<string> = new Set(MEDIA_REGIONS);
const CONTROL_REGION_SET: ReadonlySet<string> = new Set(CONTROL_REGIONS);

export function isMediaRegion(region: string): boolean {
  return MEDIA_REGION_SET.has(region);
}

export function isControlRegion(region: string): boolean {
  return CONTROL_REGION_SET.has(region);
}

/** The AWS partition of a Region: a control Region can only create meetings in its own partition. */
export function partitionOf(region: string): 'aws' | 'aws-us-gov' {
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** Approximate latitude/longitude (degrees) of each media Region's metro area. */
export const REGION_COORDINATES: Readonly<Record<string, readonly [number, number]>> = {
  'af-south-1': [-33.92, 18.42], // Cape Town
  'ap-northeast-1': [35.68, 139.69], // Tokyo
  'ap-northeast-2': [37.57, 126.98], // Seoul
  'ap-south-1': [19.08, 72.88], // Mumbai
  'ap-southeast-1': [1.35, 103.82], // Singapore
  'ap-southeast-2': [-33.87, 151.21], // Sydney
  'ca-central-1': [45.5, -73.57], // Montreal
  'eu-central-1': [50.11, 8.68], // Frankfurt
  'eu-north-1': [59.33, 18.07], // Stockholm
  'eu-south-1': [45.46, 9.19], // Milan
  'eu-west-1': [53.35, -6.26], // Dublin
  'eu-west-2': [51.51, -0.13], // London
  'eu-west-3': [48.86, 2.35], // Paris
  'sa-east-1': [-23.55, -46.63], // Sao Paulo
  'us-east-1': [39.04, -77.49], // Northern Virginia
  'us-east-2': [39.96, -83.0], // Ohio
  'us-west-1': [37.77, -122.42], // Northern California
  'us-west-2': [45.84, -119.7], // Oregon
  'us-gov-east-1': [40.42, -82.91], // GovCloud US-East (Ohio)
  'us-gov-west-1': [45.6, -121.2], // GovCloud US-West (Oregon)
};

const EARTH_RADIUS_KM = 6371;

function radians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Great-circle distance in km between two Regions; undefined when either is not in the table. */
export function regionDistanceKm(a: string, b: string): number | undefined {
  if (a === b) return 0;
  const from = REGION_COORDINATES[a];
  const to = REGION_COORDINATES[b];
  if (!from || !to) return undefined;
  const dLat = radians(to[0] - from[0]);
  const dLon = radians(to[1] - from[1]);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(radians(from[0])) * Math.cos(radians(to[0])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The candidate nearest to `from` by great-circle distance; ties (and candidates without coordinates,
 * which rank last) are broken by Region name, so the answer is the same on every replay.
 * Returns `from` itself when it is a candidate, and `from` when there are no candidates.
 */
export function nearestRegion(from: string, candidates: string[]): string {
  if (candidates.includes(from)) return from;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = regionDistanceKm(from, candidate) ?? Infinity;
    if (best === undefined || distance < bestDistance || (distance === bestDistance && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ?? from;
}
