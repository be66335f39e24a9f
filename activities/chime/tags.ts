/**
 * A meeting's tags: add, remove and list.
 */
import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { ChimeActivities } from '../../domain/chime';
import type { ChimeCaller } from './caller';
import { toTags } from './results';

export type TagActivities = Pick<ChimeActivities, 'tagResource' | 'untagResource' | 'listTagsForResource'>;

export function tagActivities({ guarded }: ChimeCaller): TagActivities {
  return {
    async tagResource(input) {
      await guarded('tagResource', input.controlRegion, { resourceArn: input.resourceArn }, (c, o) =>
        c.send(new TagResourceCommand({ ResourceARN: input.resourceArn, Tags: toTags(input.tags) }), o),
      );
    },

    async untagResource(input) {
      await guarded('untagResource', input.controlRegion, { resourceArn: input.resourceArn }, (c, o) =>
        c.send(new UntagResourceCommand({ ResourceARN: input.resourceArn, TagKeys: input.tagKeys }), o),
      );
    },

    async listTagsForResource(input) {
      const out = await guarded(
        'listTagsForResource',
        input.controlRegion,
        { resourceArn: input.resourceArn },
        (c, o) => c.send(new ListTagsForResourceCommand({ ResourceARN: input.resourceArn }), o),
      );
      return toTags(out.Tags);
    },
  };
}
