/**
 * What a system receives. Each registered system gets its own context, so its
 * event cursors are its own (like a bevy `EventReader` parameter).
 */
import type { App } from './app.ts';
import type { Commands } from './commands.ts';
import { EventCursor } from './events.ts';
import type { EventKey } from './events.ts';
import type { ResourceKey } from './resources.ts';
import type { World } from '../ecs/index.ts';

/**
 * The argument of every system.
 * @example
 * ```ts
 * function fall({ world, resource }: SystemContext) {
 *   const dt = resource(Time).delta;
 *   for (const eid of query(world, [Transform])) Transform.py[eid]! -= dt;
 * }
 * ```
 */
export interface SystemContext {
  /** The bitecs world. */
  readonly world: World;
  /** The App, for anything not covered below. */
  readonly app: App;
  /** Deferred spawns and despawns, applied at the end of this schedule. */
  readonly commands: Commands;
  /** Name of the running system. */
  readonly name: string;
  /** A resource; throws if missing. */
  resource<T>(key: ResourceKey<T>): T;
  /** A resource, or `undefined`. */
  getResource<T>(key: ResourceKey<T>): T | undefined;
  /** Events this system has not read yet (from this frame and the previous one). */
  read<T>(key: EventKey<T>): T[];
  /** Sends an event. */
  send<T>(key: EventKey<T>, value: T): void;
}

/** Makes a system's context; its `read` keeps one cursor per event type. */
export function createSystemContext(app: App, name: string): SystemContext {
  const cursors = new Map<EventKey<unknown>, EventCursor<unknown>>();
  return {
    world: app.world,
    app,
    commands: app.commands,
    name,
    resource: (key) => app.resource(key),
    getResource: (key) => app.getResource(key),
    read<T>(key: EventKey<T>): T[] {
      let cursor = cursors.get(key) as EventCursor<T> | undefined;
      if (!cursor) {
        cursor = new EventCursor<T>();
        cursors.set(key, cursor as EventCursor<unknown>);
      }
      return cursor.read(app.events(key));
    },
    send: (key, value) => app.sendEvent(key, value),
  };
}
