/** How a Region names its ARN partition and its media cell. */

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
