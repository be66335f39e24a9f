/** TagResource, UntagResource and ListTagsForResource on meeting ARNs. */
import { ApiError } from '../errors';
import { checkTags, MAX_TAGS_PER_RESOURCE, type Tag } from '../rules';
import type { MeetingRecord } from '../store/records';
import type { Input, Operation, OperationContext } from './context';

const ARN = /^arn:(aws|aws-us-gov|aws-cn):chime:([a-z0-9-]+):(\d{12}):meeting\/(.+)$/;

/** The live meeting of this control Region the ARN names, else ResourceNotFound. */
function taggedMeeting(ctx: OperationContext, region: string, input: Input): MeetingRecord {
  const arn = input.ResourceARN as string;
  const parsed = ARN.exec(arn);
  const m = parsed?.[4] ? ctx.store.get(parsed[4]) : undefined;
  if (!m || m.arn !== arn || m.controlRegion !== region) {
    throw new ApiError('ResourceNotFoundException', `The resource ${arn} does not exist`, {
      resourceName: arn,
    });
  }
  return m;
}

export const tagResource: Operation = (ctx, region, input) => {
  const m = taggedMeeting(ctx, region, input);
  const tags = input.Tags as Tag[];
  checkTags(tags);
  const keys = new Set([...m.tags.keys(), ...tags.map((t) => t.Key)]);
  if (keys.size > MAX_TAGS_PER_RESOURCE) {
    throw new ApiError(
      'TooManyTagsException',
      `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags (would have ${keys.size})`,
      { resourceName: m.arn },
    );
  }
  for (const t of tags) m.tags.set(t.Key, t.Value);
  return undefined;
};

export const untagResource: Operation = (ctx, region, input) => {
  const m = taggedMeeting(ctx, region, input);
  for (const key of input.TagKeys as string[]) m.tags.delete(key);
  return undefined;
};

export const listTagsForResource: Operation = (ctx, region, input) => ({
  Tags: [...taggedMeeting(ctx, region, input).tags].map(([Key, Value]) => ({ Key, Value })),
});
