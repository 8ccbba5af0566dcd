/**
 * The world as a service sees it (`ctx.world` in TypeScript services, the
 * `world` module in Lua): the App's shared components, read as of the last
 * completed frame and written through the service's command buffer.
 */

/** A component's fields by name: `{ px: 1, py: 0, pz: 2 }`. */
export type Fields = Record<string, number>;

/**
 * The components a service may see, by name, with their fields:
 * `{ Transform: { px: number; py: number; ... }; Npc: { state: number } }`.
 * `WorldOf<typeof shared>` derives it from the plugin's `world.components`.
 */
export type WorldComponents = Record<string, Fields>;

/** The App's clock as of the frame a service reads. */
export interface WorldTime {
  /** The App's frame (`app.frame`). */
  readonly frame: number;
  /** Seconds of game time: paused time does not count, the time scale applies. */
  readonly elapsed: number;
  /** The frame's game-time delta, in seconds. */
  readonly delta: number;
  readonly paused: boolean;
  /** The App's time scale (1: real time). */
  readonly scale: number;
  /** `FixedUpdate`'s step in seconds (0: the App has none). */
  readonly fixedStep: number;
}

/**
 * The world, from a service. Reads show the last completed frame (one frame
 * for a whole step: a handler's run up to its end or its first wait). Writes
 * go into the service's command buffer and are applied together, in order, in
 * the App's `PreUpdate` of a later frame; a step that fails has its writes
 * dropped whole. Ids carry a generation: a stale id reads as gone and is
 * refused for writes.
 */
export interface ServiceWorld<W extends WorldComponents = WorldComponents> {
  /**
   * A new entity: its id is usable at once (writes to it apply with the spawn).
   * `prefab`: one of the App's prefabs (its renderable, by name); `components`:
   * initial values (`{ Transform: { px: 1 } }`).
   */
  spawn(prefab?: string | null, components?: { [K in keyof W]?: Partial<W[K]> }): number;
  /** Despawns `id` (applied next frame). */
  despawn(id: number): void;
  /** Whether `id` is alive in the frame this step reads. */
  alive(id: number): boolean;
  /** Whether `id` has component `c` in the frame this step reads. */
  has(id: number, c: keyof W & string): boolean;
  /** Component `c` of `id` (a copy), or undefined when it has none or is gone. */
  get<K extends keyof W & string>(id: number, c: K): W[K] | undefined;
  /** One field of `id`'s component `c`, or undefined. */
  field<K extends keyof W & string>(id: number, c: K, f: keyof W[K] & string): number | undefined;
  /** Writes fields of `id`'s component `c` (adding the component if it lacks it). */
  set<K extends keyof W & string>(id: number, c: K, values: Partial<W[K]>): void;
  /** Removes component `c` from `id`. */
  remove(id: number, c: keyof W & string): void;
  /** Ids of the entities that have every component named. */
  query(...components: (keyof W & string)[]): number[];
  /** Sends an event of kind `kind` to the App (`world.eventsOut`); it is read there as an engine event. */
  emit(kind: string, value: unknown): void;
  /** Runs `fn` for each event of kind `kind` the App forwards (`world.eventsIn`). */
  on(kind: string, fn: (value: unknown) => void): void;
  /**
   * Runs `fn` on the App's clock: once per frame in which game time moved
   * (paused: no ticks), with the game time since the service's last tick.
   * A slow service gets one tick with the latest time, never a backlog.
   */
  onTick(fn: (dt: number, time: WorldTime) => void): void;
  /** Like `onTick`, at most once every `seconds` of game time (`fn` gets the time since its last run). */
  every(seconds: number, fn: (dt: number, time: WorldTime) => void): void;
  /** The App's clock as of the frame this step reads (null before the first frame). */
  time(): WorldTime | null;
}

/**
 * The `WorldComponents` of a `world.components` option, for typed services:
 * `WorldOf<typeof shared>` turns `{ Transform, Npc: { store: Npc } }` into
 * `{ Transform: { px: number; ... }; Npc: { ... } }`.
 */
export type WorldOf<T> = { [K in keyof T]: T[K] extends { readonly store: infer S } ? FieldsOf<S> : FieldsOf<T[K]> };
type FieldsOf<S> = { [F in keyof S]: number };
