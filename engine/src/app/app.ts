/**
 * The App: a bitecs world, plugins, schedules, resources, events and commands
 * (bevy `App`). Frames run with `app.update(dt)` (headless, tests) or
 * `app.run()` (requestAnimationFrame in a browser).
 */
import { createWorld } from '../ecs/index.ts';
import type { World } from '../ecs/index.ts';
import { Commands } from './commands.ts';
import { Events } from './events.ts';
import type { EventKey } from './events.ts';
import { PluginGroup, toPlugin } from './plugin.ts';
import type { Plugin, Plugins } from './plugin.ts';
import { keyName } from './resources.ts';
import type { ResourceKey } from './resources.ts';
import { First, MAIN_SCHEDULES, Schedule, Startup, conditionList, refList } from './schedule.ts';
import type { ScheduleLabel, SetOptions, System, SystemOptions } from './schedule.ts';
import { createSystemContext } from './system.ts';
import type { AppPort } from './system.ts';

/** Runs a schedule's systems some number of times (e.g. the fixed-step loop). */
export type ScheduleRunner = (runOnce: () => void, app: App) => void;

/** Where the App is in its life. */
export type AppState = 'building' | 'readying' | 'running' | 'exited';

/**
 * A game: world + plugins + schedules.
 * @example
 * ```ts
 * const app = new App().addPlugins(MinimalPlugins).addSystems(Update, ({ resource }) => {
 *   console.log(resource(Time).elapsed);
 * });
 * app.update(1 / 60);
 * ```
 */
export class App implements AppPort {
  /** The bitecs world every system works on. */
  readonly world: World = createWorld();
  /** The App's command queue (systems reach it as `ctx.commands`). */
  readonly commands: Commands = new Commands(this.world);
  /** Number of frames run so far. */
  frame = 0;
  /** The delta passed to the current `update(dt)`, in seconds, or `undefined` when measured. */
  frameDelta: number | undefined = undefined;

  private readonly plugins: Plugin[] = [];
  private readonly schedules = new Map<ScheduleLabel, Schedule>();
  private readonly runners = new Map<ScheduleLabel, ScheduleRunner>();
  private readonly mainOrder: ScheduleLabel[] = [...MAIN_SCHEDULES];
  private readonly resources = new Map<unknown, unknown>();
  private readonly eventStores = new Map<EventKey<unknown>, Events<unknown>>();
  private readonly exitHooks: Array<(app: App) => void> = [];
  private lifecycle: AppState = 'building';
  private readying: Promise<void> | null = null;
  private startupDone = false;
  private stopLoop: (() => void) | null = null;
  private updating = false;
  private exitRequested = false;

  /** Where the App is: building, readying (plugins' `ready`), running, exited. */
  get state(): AppState {
    return this.lifecycle;
  }

  // ---- plugins -------------------------------------------------------------

  /** Adds plugins, groups or arrays of them; each `build` runs at once, in order. */
  addPlugins(...plugins: Plugins[]): this {
    for (const item of plugins) {
      if (item instanceof PluginGroup) this.addPlugins(...item.plugins());
      else if (Array.isArray(item)) this.addPlugins(...(item as Plugins[]));
      else this.addPlugin(toPlugin(item as Plugin));
    }
    return this;
  }

  /** Whether a plugin with this name was added. */
  isPluginAdded(name: string): boolean {
    return this.plugins.some((p) => p.name === name);
  }

  /** The added plugin with this name, if any. */
  getPlugin<P extends Plugin>(name: string): P | undefined {
    return this.plugins.find((p) => p.name === name) as P | undefined;
  }

  /** Names of added plugins in build order. */
  pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  private addPlugin(plugin: Plugin): void {
    if (this.lifecycle !== 'building') {
      throw new Error(`[app] cannot add plugin "${plugin.name}": plugins are final once app.ready() has started`);
    }
    if (plugin.unique !== false && this.plugins.some((p) => p.name === plugin.name)) {
      throw new Error(`[app] plugin "${plugin.name}" was already added; plugins are unique by name`);
    }
    this.plugins.push(plugin);
    plugin.build(this);
  }

  /**
   * Waits for every plugin's `ready`, then runs every `finish`, then every
   * `cleanup`. Called by `run()`; call it yourself before `update()` when a
   * plugin has async setup. Calling it again returns the same promise.
   */
  ready(): Promise<this> {
    if (this.lifecycle === 'running' || this.lifecycle === 'exited') return Promise.resolve(this);
    this.readying ??= this.readyPlugins();
    return this.readying.then(() => this);
  }

  private async readyPlugins(results = this.plugins.map((p) => p.ready?.(this))): Promise<void> {
    this.lifecycle = 'readying';
    await Promise.all(
      results.map(async (r, i) => {
        const plugin = this.plugins[i]!;
        if (r instanceof Promise) await r;
        else if (r === false) {
          while (plugin.ready!(this) === false) await new Promise((res) => setTimeout(res, 0));
        }
      }),
    );
    this.finishPlugins();
  }

  /** Sync path for `update()`: works when no plugin needs to wait. */
  private readySync(): void {
    if (this.lifecycle === 'running') return;
    if (this.lifecycle === 'exited') throw new Error('[app] update() after exit()');
    if (this.readying) {
      throw new Error('[app] plugins are still getting ready; await app.ready() before app.update()');
    }
    const results = this.plugins.map((p) => p.ready?.(this));
    const waiting = this.plugins.filter((_, i) => results[i] !== undefined && results[i] !== true);
    if (waiting.length > 0) {
      this.readying = this.readyPlugins(results);
      this.readying.catch(() => {}); // the caller learns of failures through app.ready()
      throw new Error(
        `[app] plugin(s) ${waiting.map((p) => `"${p.name}"`).join(', ')} have async ready(); await app.ready() before app.update()`,
      );
    }
    this.finishPlugins();
  }

  private finishPlugins(): void {
    for (const p of this.plugins) p.finish?.(this);
    for (const p of this.plugins) p.cleanup?.(this);
    this.lifecycle = 'running';
  }

  // ---- schedules and systems -----------------------------------------------

  /**
   * Adds systems to a schedule, optionally ordered against others.
   * @example
   * ```ts
   * app.addSystems(Update, [readInput, move, collide], { chain: true });
   * app.addSystems(Update, drawHud, { after: move, inSet: 'ui' });
   * ```
   */
  addSystems(label: ScheduleLabel, systems: System | readonly System[], options: SystemOptions = {}): this {
    const list = typeof systems === 'function' ? [systems] : systems;
    const schedule = this.schedule(label, true);
    const sets = new Set(typeof options.inSet === 'string' ? [options.inSet] : (options.inSet ?? []));
    list.forEach((system, i) => {
      if (typeof system !== 'function') throw new Error(`[app] addSystems("${label}"): systems are functions`);
      const name = system.name || `${label}#${schedule.size}`;
      const after = refList(options.after);
      if (options.chain && i > 0) after.push(list[i - 1]!);
      schedule.add({ system, name, sets, after, before: refList(options.before), conditions: conditionList(options.runIf), ctx: createSystemContext(this, name) });
    });
    return this;
  }

  /**
   * Orders a named set of a schedule against others and gives it run
   * conditions, for every system in it, whichever plugin added them.
   * @example app.configureSets(Update, 'ui', { after: 'physics', runIf: inState(Game, 'playing') })
   */
  configureSets(label: ScheduleLabel, set: string, options: SetOptions): this {
    this.schedule(label, true).configureSet(set, options);
    return this;
  }

  /** A schedule by label; `create` makes an empty one if missing. */
  schedule(label: ScheduleLabel, create = false): Schedule {
    let s = this.schedules.get(label);
    if (!s) {
      if (!create) throw new Error(`[app] no schedule "${label}"`);
      s = new Schedule(label);
      this.schedules.set(label, s);
    }
    return s;
  }

  /** Labels of the per-frame schedules, in run order. */
  mainSchedules(): readonly ScheduleLabel[] {
    return this.mainOrder;
  }

  /** Inserts a new per-frame schedule right after (or before) an existing one. */
  insertSchedule(label: ScheduleLabel, where: { after: ScheduleLabel } | { before: ScheduleLabel }): this {
    if (this.mainOrder.includes(label)) throw new Error(`[app] schedule "${label}" is already in the frame`);
    const anchor = 'after' in where ? where.after : where.before;
    const i = this.mainOrder.indexOf(anchor);
    if (i < 0) throw new Error(`[app] no per-frame schedule "${anchor}"`);
    this.mainOrder.splice('after' in where ? i + 1 : i, 0, label);
    return this;
  }

  /** Replaces how a schedule runs each frame (default: once). */
  setScheduleRunner(label: ScheduleLabel, runner: ScheduleRunner): this {
    this.runners.set(label, runner);
    return this;
  }

  /** Runs one schedule's systems once, then applies commands. */
  runSchedule(label: ScheduleLabel): void {
    this.schedules.get(label)?.run((entry) => {
      try {
        entry.system(entry.ctx);
      } catch (error) {
        if (error instanceof Error) error.message = `[app] system "${entry.name}" in "${label}": ${error.message}`;
        throw error;
      }
    });
    this.commands.apply();
  }

  // ---- frames ---------------------------------------------------------------

  /**
   * Runs one frame: `Startup` the first time, then every per-frame schedule.
   * @param dt seconds since the previous frame; measured by `TimePlugin` when omitted
   */
  update(dt?: number): void {
    this.readySync();
    if (dt !== undefined && !(dt >= 0)) throw new Error(`[app] update(dt): dt must be >= 0 seconds, got ${dt}`);
    this.frameDelta = dt;
    this.updating = true;
    try {
      if (!this.startupDone) {
        this.startupDone = true;
        this.runSchedule(Startup);
      }
      for (const label of this.mainOrder) {
        const runner = this.runners.get(label);
        if (runner) runner(() => this.runSchedule(label), this);
        else this.runSchedule(label);
      }
      this.frame++;
    } finally {
      this.updating = false;
    }
    if (this.exitRequested) this.exit();
  }

  /**
   * Waits for plugins, then runs frames on requestAnimationFrame (setTimeout
   * at 60 Hz where there is none) until `exit()`. Each frame does one
   * `update()` and returns to the browser. Resolves on exit; rejects if a
   * frame throws (the loop stops).
   */
  async run(): Promise<void> {
    await this.ready();
    if (this.lifecycle === 'exited') return;
    if (this.stopLoop) throw new Error('[app] run() is already running');
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame.bind(globalThis) : undefined;
    // The loop settles with how it ended; a frame's exception is rethrown
    // here as it was thrown.
    const failure = await new Promise<{ error: unknown } | null>((resolve) => {
      let handle: number | ReturnType<typeof setTimeout> = 0;
      let last: number | undefined;
      const schedule = () => {
        handle = raf ? raf(tick) : setTimeout(() => tick(performance.now()), 1000 / 60);
      };
      const tick = (now: number) => {
        try {
          const dt = last === undefined ? 0 : Math.max(0, (now - last) / 1000);
          last = now;
          this.update(dt);
        } catch (error) {
          this.stopLoop = null;
          resolve({ error });
          return;
        }
        if (this.stopLoop) schedule();
      };
      this.stopLoop = () => {
        this.stopLoop = null;
        if (raf) cancelAnimationFrame(handle as number);
        else clearTimeout(handle as ReturnType<typeof setTimeout>);
        resolve(null);
      };
      schedule();
    });
    if (failure) throw failure.error;
  }

  /** Registers a function to run on `exit()` (renderers dispose, overlays go). */
  onExit(hook: (app: App) => void): this {
    this.exitHooks.push(hook);
    return this;
  }

  /**
   * Stops `run()` and runs exit hooks in reverse order of registration. Called
   * from a system, it takes effect when the current frame ends.
   */
  exit(): void {
    if (this.lifecycle === 'exited') return;
    if (this.updating) {
      this.exitRequested = true;
      return;
    }
    this.lifecycle = 'exited';
    this.stopLoop?.();
    for (const hook of [...this.exitHooks].reverse()) hook(this);
  }

  // ---- resources --------------------------------------------------------------

  /** Inserts or replaces a resource; with one argument the key is the value's class. */
  insertResource<T extends object>(value: T): this;
  insertResource<T>(key: ResourceKey<T>, value: T): this;
  insertResource(keyOrValue: unknown, ...rest: unknown[]): this {
    if (rest.length > 0) {
      this.resources.set(keyOrValue, rest[0]);
      return this;
    }
    const ctor = (keyOrValue as object | null)?.constructor;
    if (!ctor || ctor === Object) {
      throw new Error('[app] insertResource(value) needs a class instance; use insertResource(defineResource(...), value) for plain values');
    }
    this.resources.set(ctor, keyOrValue);
    return this;
  }

  /** Inserts `new Class()` unless the resource exists. */
  initResource<T>(ctor: new () => T): this {
    if (!this.resources.has(ctor)) this.resources.set(ctor, new ctor());
    return this;
  }

  /** A resource; throws with the key's name if missing. */
  resource<T>(key: ResourceKey<T>): T {
    if (!this.resources.has(key)) {
      throw new Error(`[app] no resource "${keyName(key)}"; insert it or add the plugin that provides it`);
    }
    return this.resources.get(key) as T;
  }

  /** A resource, or `undefined`. */
  getResource<T>(key: ResourceKey<T>): T | undefined {
    return this.resources.get(key) as T | undefined;
  }

  /** Whether a resource exists. */
  hasResource(key: ResourceKey<unknown>): boolean {
    return this.resources.has(key);
  }

  /** Removes a resource and returns it. */
  removeResource<T>(key: ResourceKey<T>): T | undefined {
    const value = this.resources.get(key) as T | undefined;
    this.resources.delete(key);
    return value;
  }

  // ---- events ---------------------------------------------------------------------

  /** Registers an event type; its buffers swap at the start of each frame. */
  addEvent<T>(key: EventKey<T>): this {
    if (this.eventStores.has(key)) return this;
    const events = new Events<T>();
    this.eventStores.set(key, events);
    this.addSystems(First, function swapEventBuffers() {
      events.update();
    }, { inSet: 'events' });
    return this;
  }

  /** The storage of an event type; throws if it was not added. */
  events<T>(key: EventKey<T>): Events<T> {
    const events = this.eventStores.get(key);
    if (!events) throw new Error(`[app] event "${key.name}" was not added; call app.addEvent(${key.name}) first`);
    return events as Events<T>;
  }

  /** Sends an event from outside a system. */
  sendEvent<T>(key: EventKey<T>, value: T): this {
    this.events(key).send(value);
    return this;
  }
}
