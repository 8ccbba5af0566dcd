/**
 * `LtaskPlugin`: the ltask runtime inside an engine App.
 *
 * - `ready()` starts the runtime (workers, io service) and inserts the `Ltask`
 *   resource: the `Runtime` plus helpers that never block a frame.
 * - Replies of requests made with `Ltask.request` are queued as they arrive and
 *   delivered in `First` (after the event buffers swap) as `LtaskEvent`s, so a
 *   system reads them like any engine event on a later frame.
 * - `LtaskStats` is refreshed from `rt.inspect()` at most every
 *   `statsIntervalMs` (one inspect in flight at a time; frames never wait).
 * - With an `AssetServer` in the App, an asset source `ltask://service/method/path`
 *   asks a service for the bytes (`call(service, method, path)`; the service is
 *   spawned once, as a unique service, on first use).
 * - The runtime stops when the App exits (`app.exit()`), or with `Ltask.stop()`.
 *
 * Only the engine's public API is used (`engine` door).
 * @example
 * ```ts
 * app.addPlugins(DefaultPlugins, LtaskPlugin({ workers: 2 }));
 * app.addSystems(Update, ({ resource, read }) => {
 *   const lt = resource(Ltask);
 *   if (wantLevel) lt.request('levels', 'find', ['Meadow 1'], { tag: 'level' });
 *   for (const e of read(LtaskEvent)) if (e.tag === 'level' && e.ok) show(e.values[0]);
 * });
 * ```
 * @module
 */
import { AssetServer, First, Last, defineEvent, registerAssetSource } from '@ltask-web/engine';
import type { App, AssetReader, Plugin, ReadOptions } from '@ltask-web/engine';
import { startRuntime, type Runtime, type RuntimeOptions, type LogEntry, type RuntimeExit } from '../host/runtime.ts';
import type { ServiceInfo } from '../protocol.ts';
import { asBytes } from '../native/types.ts';

/** Options of {@link LtaskPlugin}: the runtime's options plus the plugin's own. */
export interface LtaskPluginOptions extends RuntimeOptions {
  /** How often `LtaskStats` is refreshed, in ms (default 250; 0: never). */
  statsIntervalMs?: number;
  /** Name of the asset source (`name://service/method/path`); `false`: none. Default `'ltask'`. */
  assetSource?: string | false;
  /** Log lines kept in `LtaskStats.logs` (default 50). */
  keepLogs?: number;
}

/** A reply (or failure) of `Ltask.request`, delivered as an engine event. */
export interface LtaskReply {
  /** What `request` returned. */
  readonly id: number;
  /** The caller's tag, to tell replies apart. */
  readonly tag: string;
  /** Service name or address the request went to. */
  readonly target: string | number;
  /** Its address (0 when it could not be resolved). */
  readonly address: number;
  readonly method: string;
  readonly ok: boolean;
  /** Every result of the handler (empty on failure). */
  readonly values: unknown[];
  /** The error, when `ok` is false. */
  readonly error?: Error;
  /** Milliseconds from request to reply. */
  readonly ms: number;
  /** `app.frame` when the request was made. */
  readonly sentFrame: number;
}

/** Event of every reply to `Ltask.request`, sent in `First`. */
export const LtaskEvent = defineEvent<LtaskReply>('LtaskEvent');

/** System sets of the plugin, to order against. */
export const LtaskSystems = {
  /** Delivers replies as `LtaskEvent`s in `First`. */
  deliver: 'ltask.deliver',
  /** Refreshes `LtaskStats` in `Last`. */
  stats: 'ltask.stats',
} as const;

/** The runtime's services as last seen, plus recent log lines. Always present (empty before ready). */
export class LtaskStats {
  /** Rows of `rt.inspect()`: address, label, kind, worker, state, queue, handled, cpuMs, detail. */
  rows: ServiceInfo[] = [];
  /** `performance.now()` of the last refresh (0: never). */
  updatedAt = 0;
  /** How many refreshes completed. */
  refreshes = 0;
  /** How long the last inspect took, in ms. */
  inspectMs = 0;
  /** Requests sent with `Ltask.request` that have not been answered yet. */
  pending = 0;
  /** Recent log lines of services. */
  logs: LogEntry[] = [];
  /** Set when the runtime ended (stopped, every service quit, or a worker failed). */
  exit: RuntimeExit | null = null;
  /** Set when the runtime failed to start. */
  error: string | null = null;

  /** Rows whose state is `suspended` (a native call waits on a callback). */
  suspended(): ServiceInfo[] {
    return this.rows.filter((r) => r.state === 'suspended');
  }
}

/** Options of `Ltask.request`. */
export interface RequestOptions {
  /** Copied into the reply event. Default: the method name. */
  tag?: string;
}

/** The runtime as an App resource: the `Runtime`, plus requests that reply through events. */
export class Ltask {
  private nextId = 1;
  private readonly inbox: LtaskReply[] = [];
  private readonly names = new Map<string, Promise<number>>();
  private pendingCount = 0;
  private stopping: Promise<void> | null = null;

  /** @param runtime the started runtime */
  constructor(readonly runtime: Runtime) {}

  /**
   * The address of a service by name: spawned once as a unique service
   * (`uniqueservice`), then remembered. `io` and other named services resolve too.
   */
  service(name: string, ...args: unknown[]): Promise<number> {
    let p = this.names.get(name);
    if (!p) {
      p = this.runtime.uniqueservice(name, ...args);
      p.catch(() => this.names.delete(name)); // a failed spawn may be retried
      this.names.set(name, p);
    }
    return p;
  }

  /**
   * Calls `method` on a service and returns at once; the reply arrives as an
   * `LtaskEvent` in `First` of a later frame. `target`: an address, or a service
   * name (see `service`).
   */
  request(target: number | string, method: string, args: unknown[] = [], options: RequestOptions = {}): number {
    const id = this.nextId++;
    const t0 = performance.now();
    const sentFrame = this.frame;
    const tag = options.tag ?? method;
    this.pendingCount++;
    let address = typeof target === 'number' ? target : 0;
    const done = (ok: boolean, values: unknown[], error?: Error) => {
      this.pendingCount--;
      this.inbox.push({ id, tag, target, address, method, ok, values, error, ms: performance.now() - t0, sentFrame });
    };
    (async () => {
      if (typeof target === 'string') address = await this.service(target);
      return this.runtime.callMulti(address, method, ...args);
    })().then(
      (values) => done(true, values),
      (e: unknown) => done(false, [], e instanceof Error ? e : new Error(String(e))),
    );
    return id;
  }

  /** Sends without a reply. False when the service is dead. */
  send(address: number, method: string, ...args: unknown[]): boolean {
    return this.runtime.send(address, method, ...args);
  }

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Replies that arrived since the last call (the plugin's delivery system calls this). */
  drain(): LtaskReply[] {
    return this.inbox.splice(0, this.inbox.length);
  }

  /** Stops the runtime (also done when the App exits). Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.runtime.stop();
    return this.stopping;
  }

  /** Whether `stop()` was called. */
  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** @internal the App's frame counter, for `sentFrame` */
  frame = 0;
}

/**
 * An asset reader over services: `service/method/path` calls
 * `method(path)` on the unique service `service` and takes its first result as
 * the bytes (a Lua string or a Uint8Array).
 */
export class LtaskAssetReader implements AssetReader {
  /** @param ltask the runtime resource */
  constructor(private readonly ltask: Ltask) {}

  async read(path: string, { signal }: ReadOptions): Promise<Uint8Array> {
    const m = /^\/?([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (!m) throw new Error(`[ltask] asset path "${path}" is not service/method/path`);
    const [, service, method, rest] = m as unknown as [string, string, string, string];
    signal.throwIfAborted();
    const addr = await this.ltask.service(service);
    const value = await this.ltask.runtime.call(addr, method, rest);
    signal.throwIfAborted();
    if (value === undefined || value === null || value === false) {
      throw new Error(`[ltask] ${service}.${method}("${rest}") returned no bytes`);
    }
    return asBytes(value);
  }
}

/** The plugin object (`LtaskPlugin(options)` makes one). */
export interface LtaskPluginInstance extends Plugin {
  readonly name: 'ltask';
  /** The resource, once `ready()` has resolved. */
  readonly ltask: Ltask | null;
}

/**
 * Installs the runtime into an App.
 * @param options runtime options (`workers`, `servicePath`, `natives`, `io`...) and plugin options
 */
export function LtaskPlugin(options: LtaskPluginOptions = {}): LtaskPluginInstance {
  const { statsIntervalMs = 250, assetSource = 'ltask', keepLogs = 50, ...runtimeOptions } = options;
  const stats = new LtaskStats();
  let ltask: Ltask | null = null;
  let exited = false;
  const userLog = runtimeOptions.onLog;
  const onLog = (e: LogEntry) => {
    stats.logs.push(e);
    if (stats.logs.length > keepLogs) stats.logs.splice(0, stats.logs.length - keepLogs);
    if (userLog) userLog(e);
    else if (e.level === 'error') console.error(`[${e.label}:${e.source}] ${e.text}`);
  };

  return {
    name: 'ltask',
    get ltask() {
      return ltask;
    },

    build(app: App) {
      app.insertResource(stats).addEvent(LtaskEvent);

      app.addSystems(First, function deliverLtaskReplies({ getResource, send, app }) {
        const lt = getResource(Ltask);
        if (!lt) return;
        lt.frame = app.frame;
        for (const reply of lt.drain()) send(LtaskEvent, reply);
        stats.pending = lt.pending;
      }, { inSet: LtaskSystems.deliver, after: 'events' });

      let inFlight = false;
      app.addSystems(Last, function refreshLtaskStats({ getResource }) {
        const lt = getResource(Ltask);
        if (!lt || lt.stopped || inFlight || statsIntervalMs <= 0) return;
        const now = performance.now();
        if (now - stats.updatedAt < statsIntervalMs) return;
        inFlight = true;
        lt.runtime.inspect().then(
          (rows) => {
            inFlight = false;
            stats.rows = rows;
            stats.updatedAt = performance.now();
            stats.inspectMs = stats.updatedAt - now;
            stats.refreshes++;
          },
          () => {
            inFlight = false;
            stats.updatedAt = performance.now(); // stopped or failed: try again later
          },
        );
      }, { inSet: LtaskSystems.stats });

      app.onExit(() => {
        exited = true;
        void ltask?.stop();
      });
    },

    async ready(app: App) {
      let rt: Runtime;
      try {
        rt = await startRuntime({ ...runtimeOptions, onLog });
      } catch (e) {
        stats.error = e instanceof Error ? e.message : String(e);
        throw e;
      }
      ltask = new Ltask(rt);
      void rt.exited.then((x) => (stats.exit = x));
      app.insertResource(ltask);
      if (exited) await ltask.stop(); // the App exited while the workers were starting
    },

    finish(app: App) {
      // Other plugins are built now: plug the asset source into the AssetServer if there is one.
      if (assetSource !== false && ltask && app.hasResource(AssetServer)) {
        registerAssetSource(app, assetSource, new LtaskAssetReader(ltask));
      }
    },

    cleanup() {
      // The engine calls cleanup right after every finish (bevy's meaning: end of
      // setup), so nothing stops here; the runtime stops in the App's exit hook.
    },
  };
}

export type { Runtime, RuntimeOptions, ServiceInfo };
