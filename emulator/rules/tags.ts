import { badRequest } from '../errors';

export interface Tag {
  Key: string;
  Value: string;
}

/** Tag rules beyond the model: the reserved `aws:` prefix (any case) and unique keys within one request. */
export function checkTags(tags: Tag[] | undefined): void {
  if (!tags) return;
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw badRequest(`Tag key ${tag.Key} uses the reserved prefix aws:`);
    if (seen.has(tag.Key)) throw badRequest(`Duplicate tag key ${tag.Key}`);
    seen.add(tag.Key);
  }
}
