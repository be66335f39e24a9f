/**
 * The bodies of the operator actions, bound by name to the table in domain/operator-action-table.ts (which holds each action's
 * parser, phases, lock and CLI command). Each body lives in the module of its concern, as an entry of that
 * module's object keyed by the action's name; this file only gathers them, and its type makes a missing body a
 * compile error. The Update and the Signal of every action (definitions.ts, handlers.ts) come from the two.
 *
 * Adding an action: one entry in domain/operator-action-table.ts, one body (docs/workflow.md shows an example).
 */
import type { ActionBodies } from './action-body';
import { rosterActions } from './attendees';
import { scheduleActions } from './schedule';
import { speakerActions } from './speakers';
import { transcriptionActions } from './transcription';

export const ACTION_BODIES: ActionBodies = {
  ...speakerActions,
  ...rosterActions,
  ...scheduleActions,
  ...transcriptionActions,
};
