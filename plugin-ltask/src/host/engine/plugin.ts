/**
 * `LtaskPlugin`: the ltask runtime inside an engine App.
 *
 * - `build()` inserts the `Ltask` resource at once (status `starting`);
 *   `ready()` starts the runtime (workers, io service) and returns without
 *   waiting, so `app.run()` renders frames while the workers come up. `Ltask`
 *   then turns `ready` (the `Runtime` is there) or `unavailable` (with the
 *   error: e.g. the page is not cross-origin isolated); the App runs either way.
 * - `Ltask.request` / `service` / `call` / `send` made while starting are queued
 *   and go out once the runtime is ready (or fail with the start-up error).
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
 *   const lt = resource(Ltask); // lt.status: 'starting' | 'ready' | 'unavailable'
 *   if (wantLevel) lt.request('levels', 'find', ['Meadow 1'], { tag: 'level' });
 *   for (const e of read(LtaskEvent)) if (e.tag === 'level' && e.ok) show(e.values[0]);
 * });
 * ```
 * @module
 */
import { AssetServer, First, Last, defineEvent, registerAssetSource } from '@ltask-web/engine';
import type { App, AssetReader, Plugin, ReadOptions } from '@ltask-web/engine';
import { startRuntime, type Runtime, type RuntimeOptions, type LogEntry, type RuntimeExit } from '../runtime.ts';
import type { ServiceInfo } from '../../wire/protocol.ts';
import { asBytes } from '../../api/native.ts';

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

/** The runtime's services as last seen, plus recent log lines. Always present (empty while starting). */
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
  /** Set when the runtime failed to start (then `status` is `unavailable`). */
  error: string | null = null;
  /** The runtime's status, as `Ltask.status`. */
  status: LtaskStatus = 'starting';

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

/**
 * Where the runtime is: `starting` (workers coming up; requests are queued),
 * `ready`, or `unavailable` (it failed to start, e.g. the page is not
 * cross-origin isolated; `Ltask.error` says why, and every request fails with it).
 */
export type LtaskStatus = 'starting' | 'ready' | 'unavailable';

/** `performance.now()` marks of the runtime's start (0: not yet). */
export interface LtaskTimings {
  /** When `startRuntime` was called (the plugin's `ready()`). */
  start: number;
  /** When the workers (and the io service) were up, or the start failed. */
  ready: number;
  /** When the first successful reply to `Ltask.request` arrived. */
  firstReply: number;
}

/**
 * The runtime as an App resource: the `Runtime`, plus requests that reply
 * through events. It exists from the moment the plugin is added, while the
 * workers are still starting: `request`, `service`, `call` and `send` made
 * then are queued and go out once the runtime is ready (or fail with the
 * start-up error when it is `unavailable`). `runtime` itself is there only once
 * `status` is `ready`; `whenReady()` waits for it.
 */
export class Ltask {
  private nextId = 1;
  private readonly inbox: LtaskReply[] = [];
  private readonly names = new Map<string, Promise<number>>();
  private pendingCount = 0;
  private stopping: Promise<void> | null = null;
  private rt: Runtime | null = null;
  private readonly started: Promise<Runtime>;
  private currentStatus: LtaskStatus = 'starting';
  private startError: Error | null = null;

  /** Marks of the start (see {@link LtaskTimings}). */
  readonly timings: LtaskTimings = { start: 0, ready: 0, firstReply: 0 };

  /**
   * @param runtime a started runtime, or the promise of one (the resource is
   *   `starting` until it settles)
   */
  constructor(runtime: Runtime | PromiseLike<Runtime>) {
    this.started = Promise.resolve(runtime);
    // Registered first: status is up to date before any queued request resumes.
    this.started.then(
      (rt) => {
        this.rt = rt;
        this.currentStatus = 'ready';
        this.timings.ready ||= performance.now();
      },
      (e: unknown) => {
        this.startError = e instanceof Error ? e : new Error(String(e));
        this.currentStatus = 'unavailable';
        this.timings.ready ||= performance.now();
      },
    );
  }

  /** `starting`, `ready` or `unavailable`. */
  get status(): LtaskStatus {
    return this.currentStatus;
  }

  /** Whether the runtime is started (`status === 'ready'`). */
  get isReady(): boolean {
    return this.currentStatus === 'ready';
  }

  /** Why the runtime is `unavailable` (null otherwise). */
  get error(): Error | null {
    return this.startError;
  }

  /**
   * The started runtime. Throws while `starting` (use `whenReady()`, or the
   * queued `request` / `service` / `call`) and when `unavailable` (the start-up error).
   */
  get runtime(): Runtime {
    if (this.rt) return this.rt;
    if (this.startError) throw this.startError;
    throw new Error('[ltask] the runtime is still starting: await ltask.whenReady(), or use request()/call(), which wait for it');
  }

  /** Resolves with the runtime once started; rejects with the start-up error. */
  whenReady(): Promise<Runtime> {
    return this.started;
  }

  /**
   * The address of a service by name: spawned once as a unique service
   * (`uniqueservice`), then remembered. `io` and other named services resolve too.
   * Waits for the runtime when it is starting.
   */
  service(name: string, ...args: unknown[]): Promise<number> {
    let p = this.names.get(name);
    if (!p) {
      p = this.rt ? this.rt.uniqueservice(name, ...args) : this.started.then((rt) => rt.uniqueservice(name, ...args));
      p.catch(() => {
        if (this.names.get(name) === p) this.names.delete(name); // a failed spawn may be retried
      });
      this.names.set(name, p);
    }
    return p;
  }

  /**
   * Calls `method` on a service (address or name) and resolves with its first
   * result; waits for the runtime when it is starting. For code outside systems.
   */
  async call(target: number | string, method: string, ...args: unknown[]): Promise<unknown> {
    const rt = await this.started;
    const address = typeof target === 'string' ? await this.service(target) : target;
    return rt.call(address, method, ...args);
  }

  /**
   * Calls `method` on a service and returns at once; the reply arrives as an
   * `LtaskEvent` in `First` of a later frame. `target`: an address, or a service
   * name (see `service`). Made while the runtime is starting, the request is
   * sent once it is ready; when it is `unavailable` the event has `ok: false`
   * and the start-up error.
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
      const now = performance.now();
      if (ok && this.timings.firstReply === 0) this.timings.firstReply = now;
      this.inbox.push({ id, tag, target, address, method, ok, values, error, ms: now - t0, sentFrame });
    };
    (async () => {
      const rt = this.rt ?? (await this.started);
      if (typeof target === 'string') address = await this.service(target);
      return rt.callMulti(address, method, ...args);
    })().then(
      (values) => done(true, values),
      (e: unknown) => done(false, [], e instanceof Error ? e : new Error(String(e))),
    );
    return id;
  }

  /**
   * Sends without a reply. False when the service is dead or the runtime is
   * `unavailable`; while `starting` the message is queued (true).
   */
  send(address: number, method: string, ...args: unknown[]): boolean {
    if (this.rt) return this.rt.send(address, method, ...args);
    if (this.startError) return false;
    this.started.then((rt) => rt.send(address, method, ...args), () => {});
    return true;
  }

  /** Requests sent and not answered yet (queued ones included). */
  get pending(): number {
    return this.pendingCount;
  }

  /** Replies that arrived since the last call (the plugin's delivery system calls this). */
  drain(): LtaskReply[] {
    return this.inbox.splice(0, this.inbox.length);
  }

  /**
   * Stops the runtime (also done when the App exits); while `starting`, it stops
   * as soon as it is up. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.started.then((rt) => rt.stop(), () => {});
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
    const value = await this.ltask.call(service, method, rest); // waits while the runtime starts
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
  /** The resource, once the plugin is built (status `starting` until the runtime is up). */
  readonly ltask: Ltask | null;
}

/**
 * Installs the runtime into an App. The App does not wait for it: `ready()`
 * starts the workers and returns at once, so frames run (and render) while the
 * runtime starts; the `Ltask` resource is there from `build`, `starting`, then
 * `ready` or `unavailable` (the page is not cross-origin isolated, a worker
 * failed to load...). An unavailable runtime leaves the App running.
 * @param options runtime options (`workers`, `servicePath`, `natives`, `io`...) and plugin options
 */
export function LtaskPlugin(options: LtaskPluginOptions = {}): LtaskPluginInstance {
  const { statsIntervalMs = 250, assetSource = 'ltask', keepLogs = 50, ...runtimeOptions } = options;
  const stats = new LtaskStats();
  let ltask: Ltask | null = null;
  let settle: { resolve(rt: Runtime): void; reject(e: unknown): void } | null = null;
  let started = false;
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
      const lt = new Ltask(new Promise<Runtime>((resolve, reject) => (settle = { resolve, reject })));
      ltask = lt;
      lt.whenReady().then(
        (rt) => {
          stats.status = 'ready';
          void rt.exited.then((x) => (stats.exit = x));
        },
        (e: unknown) => {
          stats.status = 'unavailable';
          stats.error = e instanceof Error ? e.message : String(e);
        },
      );
      app.insertResource(stats).insertResource(lt).addEvent(LtaskEvent);

      app.addSystems(First, function deliverLtaskReplies({ send, app }) {
        lt.frame = app.frame;
        for (const reply of lt.drain()) send(LtaskEvent, reply);
        stats.pending = lt.pending;
      }, { inSet: LtaskSystems.deliver, after: 'events' });

      let inFlight = false;
      app.addSystems(Last, function refreshLtaskStats() {
        if (!lt.isReady || lt.stopped || inFlight || statsIntervalMs <= 0) return;
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
        // Never started: queued requests fail; started: it stops once it is up.
        if (!started) settle?.reject(new Error('[ltask] the App exited before the runtime started'));
        void lt.stop();
      });
    },

    ready() {
      // Starts the workers and returns: the App runs frames meanwhile.
      if (started || exited || !ltask || !settle) return;
      started = true;
      ltask.timings.start = performance.now();
      const { resolve, reject } = settle;
      let starting: Promise<Runtime>;
      try {
        starting = startRuntime({ ...runtimeOptions, onLog });
      } catch (e) {
        starting = Promise.reject(e);
      }
      starting.then(resolve, (e: unknown) => {
        reject(e);
        // Reported once, as a log line of the runtime (the console by default).
        onLog({ level: 'error', source: 0, label: 'ltask', text: `runtime unavailable: ${e instanceof Error ? e.message : String(e)}`, time: Date.now() });
      });
    },

    finish(app: App) {
      // Other plugins are built now: plug the asset source into the AssetServer if there is one.
      if (assetSource !== false && ltask && app.hasResource(AssetServer)) {
        registerAssetSource(app, assetSource, new LtaskAssetReader(ltask));
      }
    },
    // No cleanup: the engine calls it right after finish (bevy's meaning: the end
    // of setup); the runtime stops in the App's exit hook.
  };
}

export type { Runtime, RuntimeOptions, ServiceInfo };
