/**
 * What a system receives. Each registered system gets its own context, so its
 * event cursors are its own (like a bevy `EventReader` parameter).
 *
 * A system reaches the App through {@link AppPort}, not the App class: the App
 * holds schedules, schedules hold systems, and this file stays below both.
 */
import type { Commands } from './commands.ts';
import { EventCursor } from './events.ts';
import type { EventKey, Events } from './events.ts';
import type { ResourceKey } from './resources.ts';
import type { World } from '../ecs/index.ts';

/**
 * The App as a running system sees it: the world and its commands, the frame
 * counters, resources, events and `exit()`. Plugins, schedules and the frame
 * loop are configured on the App itself (in a plugin's `build`).
 */
export interface AppPort {
  /** The bitecs world every system works on. */
  readonly world: World;
  /** The App's command queue. */
  readonly commands: Commands;
  /** Number of frames run so far. */
  readonly frame: number;
  /** The delta passed to the current `update(dt)`, in seconds, or `undefined` when measured. */
  readonly frameDelta: number | undefined;
  /** Whether a plugin with this name was added. */
  isPluginAdded(name: string): boolean;
  /** Inserts or replaces a resource; with one argument the key is the value's class. */
  insertResource<T extends object>(value: T): this;
  insertResource<T>(key: ResourceKey<T>, value: T): this;
  /** Inserts `new Class()` unless the resource exists. */
  initResource<T>(ctor: new () => T): this;
  /** A resource; throws with the key's name if missing. */
  resource<T>(key: ResourceKey<T>): T;
  /** A resource, or `undefined`. */
  getResource<T>(key: ResourceKey<T>): T | undefined;
  /** Whether a resource exists. */
  hasResource(key: ResourceKey<unknown>): boolean;
  /** Removes a resource and returns it. */
  removeResource<T>(key: ResourceKey<T>): T | undefined;
  /** Registers an event type; its buffers swap at the start of each frame. */
  addEvent<T>(key: EventKey<T>): this;
  /** The storage of an event type; throws if it was not added. */
  events<T>(key: EventKey<T>): Events<T>;
  /** Sends an event. */
  sendEvent<T>(key: EventKey<T>, value: T): this;
  /** Stops the App; called from a system, it takes effect when the current frame ends. */
  exit(): void;
}

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
  /** The App as systems see it, for anything not covered below. */
  readonly app: AppPort;
  /** Deferred spawns and despawns, applied at the end of this schedule. */
  readonly commands: Commands;
  /** Name of the running system. */
  readonly name: string;
  // The functions below are properties, not methods: systems destructure
  // their context, so none of them may depend on `this`.
  /** A resource; throws if missing. */
  readonly resource: <T>(key: ResourceKey<T>) => T;
  /** A resource, or `undefined`. */
  readonly getResource: <T>(key: ResourceKey<T>) => T | undefined;
  /** Events this system has not read yet (from this frame and the previous one). */
  readonly read: <T>(key: EventKey<T>) => T[];
  /** Sends an event. */
  readonly send: <T>(key: EventKey<T>, value: T) => void;
}

/** Makes a system's context; its `read` keeps one cursor per event type. */
export function createSystemContext(app: AppPort, name: string): SystemContext {
  const cursors = new Map<EventKey<unknown>, EventCursor<unknown>>();
  return {
    world: app.world,
    app,
    commands: app.commands,
    name,
    resource: (key) => app.resource(key),
    getResource: (key) => app.getResource(key),
    read: <T>(key: EventKey<T>): T[] => {
      let cursor = cursors.get(key) as EventCursor<T> | undefined;
      if (!cursor) {
        cursor = new EventCursor<T>();
        cursors.set(key, cursor);
      }
      return cursor.read(app.events(key));
    },
    send: (key, value) => app.sendEvent(key, value),
  };
}
