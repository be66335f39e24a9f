/**
 * Turns a workflow history into searchable text. fetchHistory() returns bytes (payload data and metadata) as
 * base64 strings or byte arrays; every such value is added in decoded UTF-8 form too, so a plaintext value
 * anywhere in the history is found by a substring search.
 */
import type { WorkflowHandle } from '@temporalio/client';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function historyText(history: unknown): string {
  const decoded: string[] = [];
  const raw = JSON.stringify(history, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      const text = Buffer.from(value).toString('utf8');
      decoded.push(text);
      return text;
    }
    if (typeof value === 'string' && value.length >= 4 && BASE64.test(value)) {
      decoded.push(Buffer.from(value, 'base64').toString('utf8'));
    }
    return value;
  });
  return `${raw}\n${decoded.join('\n')}`;
}

export async function fetchHistoryText(handle: WorkflowHandle): Promise<string> {
  return historyText(await handle.fetchHistory());
}
