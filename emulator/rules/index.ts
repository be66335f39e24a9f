/**
 * The service rules: what Amazon Chime SDK Meetings enforces beyond the shapes of service-2.json, read from the
 * service's own documentation (API reference, developer guide, throttling and quota pages).
 *
 * This is an independent reading of the service. The worker's rules in domain/ are another reading of the same
 * documents; the emulator checks the worker against this one, so a misreading in domain/ shows up as a refused
 * call instead of being copied here. That is why nothing under rules/ imports domain/.
 */
export * from './capabilities';
export * from './limits';
export * from './regions';
export * from './tags';
export * from './transcription';
