/**
 * The queue's RedrivePolicy is the backstop: should the bridge fail to dead-letter a message (or run without a
 * dead-letter queue of its own), SQS moves it after maxReceiveCount receives. Checked at start, warned about,
 * never refused: the bridge still delivers without it.
 */
export function redriveWarnings(
  redrivePolicy: string | undefined,
  maxTries: number,
  dlqUrl: string | undefined,
): string[] {
  if (!redrivePolicy) {
    return [
      'the events queue has no RedrivePolicy: a message the bridge cannot dead-letter comes back until it expires ' +
        '(set one with maxReceiveCount a little above EVENTS_MAX_TRIES, deploy/meeting-events/queues.json)',
    ];
  }
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(redrivePolicy) as typeof policy;
  } catch {
    return ['the events queue RedrivePolicy is not JSON'];
  }
  const warnings: string[] = [];
  const count = Number(policy.maxReceiveCount);
  if (Number.isFinite(count) && count <= maxTries) {
    warnings.push(
      `the queue's maxReceiveCount (${String(count)}) is not above EVENTS_MAX_TRIES (${String(maxTries)}): ` +
        'SQS moves messages before the bridge does, without the reason attribute',
    );
  }
  const target =
    typeof policy.deadLetterTargetArn === 'string' ? policy.deadLetterTargetArn.split(':').pop() : '';
  const named = dlqUrl?.split('/').filter(Boolean).pop();
  if (named !== undefined && target !== named) {
    warnings.push(
      `EVENTS_DLQ_URL names ${named}, the queue's RedrivePolicy ${String(target)}: two dead-letter queues`,
    );
  }
  return warnings;
}
