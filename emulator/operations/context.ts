import type { EmulatedClock } from '../clock';
import type { EmulatorConfig } from '../config';
import type { MeetingStore } from '../store/store';
import type { Input } from '../store/records';

export type { Input };

/** What an operation may use: the store, the current config and the emulated clock. */
export interface OperationContext {
  store: MeetingStore;
  config: EmulatorConfig;
  clock: EmulatedClock;
}

/** One operation: validated input in, output members out (undefined: no body). Synchronous by design. */
export type Operation = (ctx: OperationContext, region: string, input: Input) => Input | undefined;
