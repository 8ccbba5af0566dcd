/**
 * Run conditions (bevy's `common_conditions`): functions of a system's
 * context that say whether it runs this time. Give them to `addSystems`'s
 * `runIf`, or to a set with `app.configureSets`. Each call makes a condition
 * of its own (`onEvent` and `onTimer` keep state: give each system its own).
 */
import { EventCursor, type EventKey } from './events.ts';
import type { ResourceKey } from './resources.ts';
import type { Condition } from './schedule.ts';

/** True while the resource exists. */
export function resourceExists(key: ResourceKey<unknown>): Condition {
  return ({ getResource }) => getResource(key) !== undefined;
}

/** True when events of `key` were sent since this condition last looked (each condition reads with a cursor of its own). */
export function onEvent(key: EventKey<unknown>): Condition {
  const cursor = new EventCursor<unknown>();
  return ({ app }) => cursor.read(app.events(key)).length > 0;
}

/** The opposite of `c`. */
export function not(c: Condition): Condition {
  return (ctx) => !c(ctx);
}

/** True when every condition is. */
export function and(...cs: Condition[]): Condition {
  return (ctx) => cs.every((c) => c(ctx));
}

/** True when any condition is. */
export function or(...cs: Condition[]): Condition {
  return (ctx) => cs.some((c) => c(ctx));
}
