/** The workflow of bench/rate-limits.ts (bundled on its own): starts `n` trivial activities at once on a queue. */
import { proxyActivities } from '@temporalio/workflow';

export async function fanOutWorkflow(n: number, taskQueue: string): Promise<void> {
  const { tick } = proxyActivities<{ tick(): Promise<void> }>({
    taskQueue,
    startToCloseTimeout: '10s',
    retry: { maximumAttempts: 1 },
  });
  await Promise.all(Array.from({ length: n }, () => tick()));
}
