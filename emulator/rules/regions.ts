/** Control Regions (the meetings API endpoints) and how a Region names its partition and media cell. */

/**
 * The Regions with an Amazon Chime SDK meetings API endpoint ("Available AWS Regions for the Amazon Chime SDK",
 * meeting control Regions). A credential scope naming any other Region is refused before it can reach the rate
 * limiter, so signed headers cannot create buckets without bound.
 */
export const CONTROL_REGIONS: readonly string[] = [
  'us-east-1',
  'us-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'us-gov-east-1',
  'us-gov-west-1',
];

const CONTROL_REGION_SET: ReadonlySet<string> = new Set(CONTROL_REGIONS);

export function isControlRegion(region: string): boolean {
  return CONTROL_REGION_SET.has(region);
}

/** The ARN partition of a Region. */
export function partition(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The short code the service uses in media host names: eu-central-1 → ec1. */
export function regionCode(region: string): string {
  return region
    .split('-')
    .map((p) => (/^\d+$/.test(p) ? p : p.charAt(0)))
    .join('');
}
