/** The dashboard benchmark's modes: how the dashboard reads the storm's webinars, and how often. */

export type DashboardMode = 'none' | 'memo' | 'list' | 'query';
export const MODES: DashboardMode[] = ['none', 'memo', 'list', 'query'];

export const MODE_TEXT: Record<DashboardMode, string> = {
  none: 'no dashboard (one visibility count per second to know when all are READY)',
  memo: 'WebinarClient.status(id): the memo via describe(), per webinar',
  list: 'WebinarClient.list(window): one visibility list per tick, phase + memo counts',
  query: 'WebinarClient.status(id, { live: true }): the status query, per webinar',
};

/** The dashboard's tick: every mode reads once a second. */
export const POLL_MS = 1_000;
