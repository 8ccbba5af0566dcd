/**
 * `LtaskPlugin`: the ltask runtime inside an engine App, added like the
 * engine's own plugins (`app.addPlugins(new LtaskPlugin(options))`).
 *
 * - `build()` inserts the `Ltask` resource at once (status `starting`) and, in
 *   a browser, starts the scheduler workers, whose scripts load meanwhile;
 *   `ready()` starts the runtime on them (system services, io) and returns without
 *   waiting, so `app.run()` renders frames while the workers come up. `Ltask`
 *   then turns `ready` (the `Runtime` is there) or `unavailable` (with the
 *   error: e.g. the page is not cross-origin isolated); the App runs either way.
 * - `Ltask.request` / `service` / `call` / `send` made before `ready()` are
 *   queued until the runtime is ready; from `ready()` on they go out at once
 *   and the workers take them as they come up (a request to a name not resolved yet
 *   through root's `unique_call`). Their answers are released once the start
 *   has settled; they fail with the start-up error when it fails.
 * - Replies of requests made with `Ltask.request` are queued as they arrive and
 *   delivered in `First` (after the event buffers swap) as events of the kind
 *   the caller chose (`defineReply`), so a system reads them like any engine
 *   event on a later frame, with the context it gave.
 * - `LtaskStats` is refreshed from `rt.inspect()` at most every
 *   `statsIntervalMs` (one inspect in flight at a time; frames never wait).
 * - Services' log lines (`print`, `ltask.log.*`, `ctx.log.*`, errors) go to the
 *   console as `[label:address] text` (errors with `console.error`), or to the
 *   user's `onLog` instead; `LtaskStats.logs` keeps the last `keepLogs` either way.
 * - With an `AssetServer` in the App, an asset source `ltask://service/method/path`
 *   asks a service for the bytes (`call(service, method, path)`; the service is
 *   spawned once, as a unique service, on first use).
 * - The runtime stops when the App exits (`app.exit()`), or with `Ltask.stop()`.
 *
 * Only the engine's public API is used (`engine` door).
 * @example
 * ```ts
 * const LevelReply = defineReply<{ name: string }>('LevelReply');
 * app.addPlugins(DefaultPlugins, new LtaskPlugin({ workers: 2 })).addEvent(LevelReply);
 * app.addSystems(Update, ({ resource, read }) => {
 *   const lt = resource(Ltask); // lt.status: 'starting' | 'ready' | 'unavailable'
 *   if (wantLevel) lt.request(LevelReply, 'levels', 'find', ['Meadow 1'], { name: 'Meadow 1' });
 *   for (const e of read(LevelReply)) if (e.ok) show(e.context.name, e.values[0]);
 * });
 * ```
 * @module
 */
import { AssetServer, First, Last, PreUpdate, registerAssetSource } from '@ltask-web/engine';
import type { App, Plugin, SystemContext } from '@ltask-web/engine';
import { platform } from '#platform';
import { checkIsolation, type WorkerHandle } from '../../platform/types.ts';
import { launchRuntime, prestartWorkers, workerCount, type Launch } from '../runtime.ts';
import type { LogEntry, Runtime, RuntimeOptions } from '../../api/runtime.ts';
import { LtaskAssetReader } from './asset-source.ts';
import { Ltask } from './resource.ts';
import { LtaskStats } from './stats.ts';
import { runtimeInternals } from '../internals.ts';
import { listenAssets } from '../reload.ts';
import { WorldBridge, type WorldPort } from './world/bridge.ts';
import { resolveWorld, type LtaskWorldOptions, type ResolvedWorld } from './world/options.ts';

/** Options of {@link LtaskPlugin}: the runtime's options plus the plugin's own. */
export interface LtaskPluginOptions extends Omit<RuntimeOptions, 'world'> {
  /** How often `LtaskStats` is refreshed, in ms (default 250; 0: never). */
  statsIntervalMs?: number;
  /** Name of the asset source (`name://service/method/path`); `false`: none. Default `'ltask'`. */
  assetSource?: string | false;
  /** Log lines kept in `LtaskStats.logs` (default 50). */
  keepLogs?: number;
  /**
   * Receives every log line of the services (`print`, `ltask.log.*`,
   * `ctx.log.*`, errors) in place of the console. Default: the browser's
   * console, `[label:address] text` (`[npc:12] hello`), errors with
   * `console.error`. `LtaskStats.logs` keeps its copy either way.
   */
  onLog?: (entry: LogEntry) => void;
  /**
   * The world shared with services: the components they may see and change,
   * prefabs they may spawn, events each way (see docs/world.md). Services
   * read it as of the last completed frame; what they write is applied in
   * `PreUpdate` (`LtaskSystems.applyWorld`); the snapshot is published in `Last`.
   */
  world?: LtaskWorldOptions;
}

/** System sets of the plugin, to order against. */
export const LtaskSystems = {
  /** Delivers replies as events of their kinds in `First`. */
  deliver: 'ltask.deliver',
  /** Refreshes `LtaskStats` in `Last`. */
  stats: 'ltask.stats',
  /** Applies what services wrote to the world, first in `PreUpdate`. */
  applyWorld: 'ltask.world.apply',
  /** Publishes the frame's world snapshot and forwards App events to services, in `Last`. */
  publishWorld: 'ltask.world.publish',
} as const;

/**
 * The runtime's start, decided once: `ready()` starts it, or the App exits
 * first and it never starts. The `Ltask` resource waits on `runtime` from `build()`.
 */
class RuntimeLaunch {
  /** Settles when the runtime is up, failed to start, or will never start. */
  readonly runtime: Promise<Runtime>;
  private readonly settle: { readonly resolve: (rt: Runtime | Promise<Runtime>) => void; readonly reject: (e: unknown) => void };
  private state: 'waiting' | 'started' | 'cancelled' = 'waiting';
  /** The runtime while it starts (its requests go out at once); null before `start`. */
  private early: Runtime | null = null;

  constructor() {
    let settle!: RuntimeLaunch['settle'];
    this.runtime = new Promise<Runtime>((resolve, reject) => (settle = { resolve, reject }));
    this.settle = settle;
  }

  /** Whether neither `start` nor `cancel` came yet. */
  get waiting(): boolean {
    return this.state === 'waiting';
  }

  /** The runtime being started, usable before it is up (null before `start`, or when it could not even begin). */
  get starting(): Runtime | null {
    return this.early;
  }

  /** Starts the runtime with `begin` (once); its failure settles `runtime` too. */
  start(begin: () => Launch): void {
    if (this.state !== 'waiting') return;
    this.state = 'started';
    try {
      const { runtime, ready } = begin();
      this.early = runtime;
      this.settle.resolve(ready); // `runtime` follows the start, its failure included
    } catch (e) {
      this.settle.reject(e);
    }
  }

  /** Never starts: what waits on `runtime` fails with `error`. No effect once started. */
  cancel(error: Error): void {
    if (this.state !== 'waiting') return;
    this.state = 'cancelled';
    this.settle.reject(error);
  }
}

/** What `build()` made for the App, used by `ready()` and `finish()`. */
interface Installed {
  readonly ltask: Ltask;
  readonly stats: LtaskStats;
  readonly launch: RuntimeLaunch;
}

/**
 * Installs the runtime into an App. The App does not wait for it: `ready()`
 * starts the workers and returns at once, so frames run (and render) while the
 * runtime starts; the `Ltask` resource is there from `build`, `starting`, then
 * `ready` or `unavailable` (the page is not cross-origin isolated, a worker
 * failed to load...). An unavailable runtime leaves the App running.
 * @example
 * ```ts
 * app.addPlugins(DefaultPlugins, new LtaskPlugin({ workers: 2, natives: { sqlite } }));
 * ```
 */
export class LtaskPlugin implements Plugin {
  readonly name = 'LtaskPlugin';
  private readonly runtimeOptions: RuntimeOptions;
  private readonly statsIntervalMs: number;
  private readonly assetSource: string | false;
  private readonly keepLogs: number;
  private readonly world: ResolvedWorld | null;
  private installed: Installed | null = null;
  /** Browser: the scheduler workers, started in `build()` so that their scripts load while the App builds and draws its first frame. */
  private started: WorkerHandle[] = [];

  /** @param options runtime options (`workers`, `servicePath`, `natives`, `io`...) and plugin options */
  constructor(options: LtaskPluginOptions = {}) {
    const { statsIntervalMs = 250, assetSource = 'ltask', keepLogs = 50, world, ...runtimeOptions } = options;
    this.world = world ? resolveWorld(world) : null;
    this.runtimeOptions = this.world ? { ...runtimeOptions, world: this.world.schema } : runtimeOptions;
    this.statsIntervalMs = statsIntervalMs;
    this.assetSource = assetSource;
    this.keepLogs = keepLogs;
  }

  build(app: App): void {
    const launch = new RuntimeLaunch();
    const ltask = new Ltask(launch.runtime, { frame: () => app.frame, checkReply: (kind) => void app.events(kind), starting: () => launch.starting });
    const stats = new LtaskStats(ltask, { keepLogs: this.keepLogs });
    ltask.whenReady().then((rt) => void rt.exited.then((x) => (stats.exit = x)), () => {});
    app.insertResource(stats).insertResource(ltask);
    app.addSystems(First, function deliverLtaskReplies({ send }: SystemContext) {
      for (const { kind, reply } of ltask.drain()) send(kind, reply);
    }, { inSet: LtaskSystems.deliver, after: 'events' });
    const intervalMs = this.statsIntervalMs;
    app.addSystems(Last, function refreshLtaskStats() {
      if (ltask.isReady && !ltask.stopped) stats.refresh(() => ltask.runtime.inspect(), intervalMs);
    }, { inSet: LtaskSystems.stats });
    this.started = this.startWorkersAhead();
    app.onExit(() => {
      // Never started: queued requests fail; started: it stops once it is up.
      launch.cancel(new Error('[ltask] the App exited before the runtime started'));
      for (const h of this.started.splice(0)) void h.terminate();
      void ltask.stop();
    });
    if (this.world) installWorld(app, ltask, launch, this.world);
    this.installed = { ltask, stats, launch };
  }

  ready(): void {
    // Starts the workers and returns: the App runs frames meanwhile.
    const installed = this.installed;
    if (!installed?.launch.waiting) return;
    const { ltask, stats, launch } = installed;
    const onLog = this.logTo(stats);
    ltask.timings.start = performance.now();
    // The requests made from now on go out at once, while the workers come up.
    launch.start(() => launchRuntime({ ...this.runtimeOptions, onLog }, this.started.splice(0)));
    launch.runtime.catch((e: unknown) => {
      // Reported once, as a log line of the runtime (the console by default).
      onLog({ level: 'error', source: 0, label: 'ltask', text: `runtime unavailable: ${e instanceof Error ? e.message : String(e)}`, time: Date.now() });
    });
  }

  finish(app: App): void {
    // Other plugins are built now: plug the asset source into the AssetServer if there is one.
    if (this.assetSource !== false && this.installed && app.hasResource(AssetServer)) {
      registerAssetSource(app, this.assetSource, new LtaskAssetReader(this.installed.ltask));
    }
    if (app.hasResource(AssetServer)) {
      // The dev server's asset hot reload: a file saved under public/ reloads in place.
      const server = app.resource(AssetServer);
      app.onExit(listenAssets((urlPath) => void server.reloadUrl(urlPath)));
    }
  }
  // No cleanup: the engine calls it right after finish (bevy's meaning: the end
  // of setup); the runtime stops in the App's exit hook.

  /**
   * In a browser, starts the scheduler workers now: fetching and compiling
   * their script takes a few hundred ms on a slow machine, and `ready()`,
   * which gives them their runtime, comes only after every plugin is built.
   * None in Node (quick there), nor where the runtime cannot start (it says why then).
   */
  private startWorkersAhead(): WorkerHandle[] {
    if (platform.name !== 'browser') return [];
    try {
      checkIsolation();
      return prestartWorkers(workerCount(this.runtimeOptions));
    } catch {
      return [];
    }
  }

  /** Log lines go to the stats, then to the user's `onLog` or else to the console. */
  private logTo(stats: LtaskStats): (entry: LogEntry) => void {
    const out = this.runtimeOptions.onLog ?? logToConsole;
    return (e) => {
      stats.log(e);
      out(e);
    };
  }
}

/**
 * The world bridge's resource and systems: apply in `PreUpdate`, publish in `Last`. It connects in the
 * first frame after the launch, not once the runtime is up: services run while it starts (a request
 * goes out at once), and a `world.spawn` then needs ids in the reserve.
 */
function installWorld(app: App, ltask: Ltask, launch: RuntimeLaunch, shared: ResolvedWorld): void {
  const bridge = new WorldBridge(app, shared);
  app.insertResource(bridge.stats);
  app.addSystems(PreUpdate, function applyServiceWrites() {
    if (!bridge.connected && !ltask.stopped) {
      const rt = ltask.isReady ? ltask.runtime : launch.starting;
      if (rt) bridge.connect(worldPort(rt));
    }
    bridge.apply();
  }, { inSet: LtaskSystems.applyWorld });
  app.addSystems(Last, function publishWorld({ read }: SystemContext) {
    shared.eventsIn.forEach((kind, k) => bridge.forward(k, read(kind)));
    bridge.publish();
  }, { inSet: LtaskSystems.publishWorld, after: LtaskSystems.stats });
}

function worldPort(rt: Runtime): WorldPort {
  const internals = runtimeInternals(rt);
  return {
    memory: internals.world!,
    wake: (w) => internals.wakeWorker(w),
    send: (addr, kind, value) => {
      try {
        return rt.send(addr, 'world.event', kind, value);
      } catch {
        return true; // busy: this one is dropped, the service stays a listener
      }
    },
  };
}

/** A log line on the console, as `startRuntime` prints it: `[label:address] text`, errors with `console.error`. */
function logToConsole(e: LogEntry): void {
  const line = `[${e.label}:${e.source}] ${e.text}`;
  if (e.level === 'error') console.error(line);
  else console.log(line);
}
