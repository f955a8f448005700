/**
 * Every port of the domain, in one place: what it needs from storage, shared counters, the
 * deployment's other instances and the live side. src/store, src/cluster and src/rtc implement
 * them; src/context.ts wires one implementation of each.
 */
export * from './accounts.js';
export * from './cluster.js';
export * from './counters.js';
export * from './directory.js';
export * from './events.js';
export * from './live.js';
export * from './meetings.js';
export * from './meta.js';
export * from './tokens.js';
export * from './statistics.js';
export * from './media.js';
