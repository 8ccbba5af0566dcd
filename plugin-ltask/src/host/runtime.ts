/**
 * The runtime host: starts the scheduler workers, holds the shared service table
 * and the rings, and lets the thread that started it (a page's main thread, or a
 * Node process) talk to services. It never blocks.
 *
 * This file is the facade: `startRuntime`, the `Runtime` users hold, and the
 * class that puts the host's parts together. The parts have a file each:
 * options.ts (defaults, shared memory), workers.ts (launch, outbox),
 * router.ts (messages in and out), supervisor.ts (watchdog, replacement),
 * inspect.ts (`inspect()` and its fallback), reload.ts (hot reload), pool.ts
 * (native carriers).
 */
import { checkIsolation, type WorkerHandle } from '../platform/types.ts';
import { Address, MessageType, SYSTEM_SERVICES, type LuaUpdate, type ServiceInfo, type WorkerConfig, type WorkerToHost } from '../wire/protocol.ts';
import type { ServiceTable } from '../wire/table.ts';
import { callWorker } from '../wire/slots.ts';
import { RootMemory } from '../wire/root-state.ts';
import { remote, type Remote } from '../wire/remote.ts';
import type { SpawnOptions } from '../api/spawn.ts';
import type { CarrierInfo, Runtime, RuntimeExit, RuntimeOptions } from '../api/runtime.ts';
import { keepInternals } from './internals.ts';
import { WorldMemory } from '../wire/world/layout.ts';
import { Inspector } from './inspect.ts';
import { resolveOptions, type RuntimeSetup } from './options.ts';
import { NativePools } from './pool.ts';
import { listenHot, serviceReload, sourceReload } from './reload.ts';
import { Router } from './router.ts';
import { Supervisor } from './supervisor.ts';
import { SchedulerWorkers, launchWorkers } from './workers.ts';

export { prestartWorkers } from './workers.ts';
export { workerCount } from './options.ts';



/**
 * Starts a runtime and resolves when every worker is ready.
 * @example
 * ```ts
 * const rt = await startRuntime({ workers: 2, sources: { 'service/hello.lua': 'return { hi = function(n) return "hi " .. n end }' } });
 * const addr = await rt.spawn('hello');
 * console.log(await rt.call(addr, 'hi', 'there'));
 * await rt.stop();
 * ```
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  return launchRuntime(options).ready;
}

/** A runtime being started: usable at once, `ready` when it is up. */
export interface Launch {
  /**
   * The runtime, before it is up: what it is asked now goes out at once and
   * is read by the workers as they come up (a request to a service is answered
   * as soon as that service is). Fails with the start-up error when the start fails.
   */
  readonly runtime: Runtime;
  /** Resolves when every worker, the system services and io are up; rejects (the runtime stopped) when one cannot start. */
  readonly ready: Promise<Runtime>;
}

/**
 * Starts a runtime without waiting between its steps: the workers, the system
 * services on worker 0 and the io service are asked for in one go, each step
 * taken by the workers as the one before ends, with no turn of this thread
 * between (a page's main thread may be busy with a frame). `started`: workers
 * started ahead ({@link prestartWorkers}), whose scripts have loaded meanwhile.
 * Throws at once on a bad option or a page that is not cross-origin isolated
 * (and terminates `started`).
 */
export function launchRuntime(options: RuntimeOptions = {}, started: readonly WorkerHandle[] = []): Launch {
  let setup: RuntimeSetup;
  try {
    checkIsolation();
    setup = resolveOptions(options);
  } catch (e) {
    for (const h of started) void h.terminate();
    throw e;
  }
  const { handles, ready } = launchWorkers(setup, started);
  return RuntimeHost.launch({ ...setup, handles }, ready);
}

/** What a runtime is made of: its setup and its workers, started (ready or not). */
interface RuntimeParts extends RuntimeSetup {
  readonly handles: WorkerHandle[];
}

/** The runtime: the public API over the host's parts, and what joins them. */
class RuntimeHost implements Runtime {
  readonly exited: Promise<RuntimeExit>;
  private readonly config: WorkerConfig;
  private readonly table: ServiceTable;
  private readonly workers: SchedulerWorkers;
  private readonly router: Router;
  private readonly natives: NativePools;
  /** Made once the runtime is up: until then a worker that ends fails the start, and the watchdog waits. */
  private supervisor: Supervisor | null = null;
  private readonly parts: RuntimeParts;
  /** Fails the start (a worker ended before the runtime was up); null once it is up. */
  private failStart: ((e: Error) => void) | null = null;
  private readonly inspector: Inspector;
  /** The host's copy of root's registry (root journals every change). */
  private readonly rootMemory = new RootMemory();
  private readonly exit: (e: RuntimeExit) => void;
  /** Removes the dev server's hot-reload listener. */
  private readonly unlistenHot: () => void;
  private stopped = false;
  /** What calls made after the stop fail with (the start-up error when the start failed). */
  private stopError = new Error('[ltask] the runtime has stopped');

  /**
   * Makes the runtime and asks, in the same turn, for its system services
   * (SPAWN to worker 0, at their fixed addresses) and io (through root): the
   * messages wait in worker 0's port behind its `init`. When a step cannot
   * start, the runtime stops, what was asked of it fails with that error, and `ready` rejects with it.
   */
  static launch(parts: RuntimeParts, workersReady: Promise<void>): Launch {
    const rt = new RuntimeHost(parts);
    const failed = new Promise<never>((_, reject) => (rt.failStart = reject));
    const steps: Promise<unknown>[] = [workersReady, ...SYSTEM_SERVICES.map(({ name, address }) => rt.startSystem(name, address))];
    if (parts.io) steps.push(rt.spawnService({ name: 'io', unique: true, local: true, args: [parts.io] }));
    const ready = Promise.race([Promise.all(steps), failed]).then(
      () => rt.up(),
      async (e: unknown) => {
        rt.failStart = null;
        await rt.stop(e instanceof Error ? e : new Error(String(e)));
        throw e;
      },
    );
    return { runtime: rt, ready };
  }

  private constructor(p: RuntimeParts) {
    let exit!: (e: RuntimeExit) => void;
    this.exited = new Promise((r) => (exit = r));
    this.exit = exit;
    this.config = p.config;
    this.table = p.table;
    this.parts = p;
    this.workers = new SchedulerWorkers({
      handles: p.handles,
      init: p,
      port: { arrived: (m) => this.arrived(m), exited: (id, reason) => this.workerEnded(id, reason) },
    });
    this.router = new Router({ table: p.table, queueLimit: p.config.queueLimit, maxMessageBytes: p.config.maxMessageBytes, outbox: this.workers, log: p.onLog });
    this.natives = this.nativePools(p);
    this.inspector = new Inspector({ table: p.table, workers: this.workers, askRoot: (all) => this.call<ServiceInfo[]>(Address.ROOT, 'inspect', all) });
    // In the vite dev server: saved .lua files and TypeScript service modules restart their services (the ltask() plugin sends them).
    this.unlistenHot = listenHot((u) => void this.reloadSource(u), (u) => this.workers.postAll({ type: 'reload-services', services: serviceReload(this.config, u) }));
    const { table, natives } = this;
    const world = this.config.world ? new WorldMemory(this.config.world) : null;
    const self = this as RuntimeHost;
    keepInternals(this, {
      table,
      world,
      wakeWorker: (w) => table.nudge(w),
      get replacedWorkers() {
        return self.supervisor?.replacedWorkers ?? 0;
      },
      get queuedNativeCalls() {
        return natives.queuedCalls;
      },
      get waitingNativeCalls() {
        return natives.waitingCalls;
      },
    });
  }

  get workerCount(): number {
    return this.config.workers;
  }

  get serialViolations(): number {
    return this.table.violations;
  }

  callMulti(addr: number, name: string, ...args: unknown[]): Promise<unknown[]> {
    if (this.stopped) return Promise.reject(this.stopError);
    return this.router.sessions.call(addr, MessageType.REQUEST, [name, ...args]);
  }

  async call<T = unknown>(addr: number, name: string, ...args: unknown[]): Promise<T> {
    return (await this.callMulti(addr, name, ...args))[0] as T;
  }

  remote<T>(addr: number): Remote<T> {
    return remote<T>((name, ...args) => this.call(addr, name, ...args));
  }

  send(addr: number, name: string, ...args: unknown[]): boolean {
    return this.router.sessions.send(addr, [name, ...args]);
  }

  spawn(name: string, ...args: unknown[]): Promise<number> {
    return this.call<number>(Address.ROOT, 'spawn', name, ...args);
  }

  spawnService(options: SpawnOptions): Promise<number> {
    return this.call<number>(Address.ROOT, 'spawn_service', options);
  }

  uniqueService(name: string, ...args: unknown[]): Promise<number> {
    return this.call<number>(Address.ROOT, 'uniqueservice', name, ...args);
  }

  queryService(name: string): Promise<number> {
    return this.call<number>(Address.ROOT, 'queryservice', name);
  }

  kill(addr: number): Promise<boolean> {
    return this.call<boolean>(Address.ROOT, 'kill', addr);
  }

  inspect(all = false, waitMs = 1000): Promise<ServiceInfo[]> {
    return this.inspector.inspect(all, waitMs);
  }

  state(addr: number): number {
    return this.table.state(addr);
  }

  carriers(): readonly CarrierInfo[] {
    return this.natives.carriers();
  }

  reloadSource(update: LuaUpdate): string[] {
    const reload = sourceReload(this.config, update);
    this.workers.postAll({ type: 'reload', reload });
    return reload.paths;
  }

  /** Stops the runtime; what waits on it fails with `error` (default: it has stopped). */
  async stop(error?: Error): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (error) this.stopError = error;
    this.failStart = null;
    this.supervisor?.stop();
    this.unlistenHot();
    this.router.sessions.failAll(this.stopError);
    await Promise.all([...this.workers.terminateAll(), this.natives.stop()]);
    this.inspector.stop();
    this.exit({ code: 0 });
  }

  /** Every step of the start is done: from now on, one message per worker per turn, and supervision. */
  private up(): RuntimeHost {
    this.failStart = null;
    this.workers.eager = false;
    const p = this.parts;
    this.supervisor = new Supervisor({
      table: p.table,
      rings: p.rings,
      ringBytes: p.ringBytes,
      watchdogMs: p.watchdogMs,
      workers: this.workers,
      router: this.router,
      natives: this.natives,
      port: { log: p.onLog, startSystem: (name, address) => this.startSystem(name, address), fail: (error) => this.fail(error) },
    });
    return this;
  }

  /** Worker `id`'s thread ended by itself: before the runtime is up that fails the start; after, supervision replaces it. */
  private workerEnded(id: number, reason: string): void {
    if (this.failStart) this.failStart(new Error(`[ltask] ${reason}`));
    else this.supervisor?.replace(id, `failed: ${reason}`);
  }

  /** The carrier pools, which reach the workers through the runtime. */
  private nativePools(p: RuntimeParts): NativePools {
    const { config, table, slots, callbackTimeoutMs, mailboxBytes } = p;
    return new NativePools(p.natives, {
      table,
      slots,
      callbackTimeoutMs,
      mailboxBytes,
      maxMessageBytes: config.maxMessageBytes,
      fail: (callId, error) => this.workers.post(callWorker(callId), { type: 'native-fail', callId, error }),
      bind: (req, mailbox, carrier) => this.workers.post(req.worker, { type: 'native-bind', callId: req.callId, mailbox, carrier }),
      announce: (slot, module, mailbox, gen) => this.workers.postAll({ type: 'carrier', slot, module, mailbox, gen }),
      log: (text) => p.onLog({ level: 'error', source: Address.HOST, label: 'ltask', text, time: Date.now() }),
    });
  }

  /** Starts a system service at its fixed address (root: with the registry it had, after worker 0 died). */
  private startSystem(name: string, address: number): Promise<unknown> {
    return this.router.sessions.call(address, MessageType.SPAWN, ['ts', name, name, address === Address.ROOT ? [this.rootMemory.snapshot()] : []]);
  }

  /** What a worker posted to the host. */
  private arrived(m: WorkerToHost): void {
    switch (m.type) {
      case 'msgs':
        this.router.arrived(m.batch);
        break;
      case 'exit':
        this.exit({ code: m.code, error: m.error });
        break;
      case 'native-call':
        this.natives.request(m.request);
        break;
      case 'native-abort':
        this.natives.abort(m.callId);
        break;
      case 'root-state':
        this.rootMemory.apply(m.ops);
        break;
      case 'details':
        this.inspector.arrived(m.id, m.details);
        break;
    }
  }

  /** Supervision cannot go on: every waiting call fails and the runtime ends with code 1. */
  private fail(error: string): void {
    this.router.sessions.failAll(new Error(error));
    this.exit({ code: 1, error });
  }
}
