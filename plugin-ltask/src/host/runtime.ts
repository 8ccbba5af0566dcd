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
  checkIsolation();
  const setup = resolveOptions(options);
  const handles = await launchWorkers(setup);
  return RuntimeHost.start({ ...setup, handles });
}

/** What a runtime is made of: its setup and its workers, started and ready. */
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
  private readonly supervisor: Supervisor;
  private readonly inspector: Inspector;
  /** The host's copy of root's registry (root journals every change). */
  private readonly rootMemory = new RootMemory();
  private readonly exit: (e: RuntimeExit) => void;
  /** Removes the dev server's hot-reload listener. */
  private readonly unlistenHot: () => void;
  private stopped = false;

  /** Makes the runtime and starts its system services and io; when one cannot start, stops it and throws. */
  static async start(parts: RuntimeParts): Promise<RuntimeHost> {
    const rt = new RuntimeHost(parts);
    try {
      // The system services start like any TypeScript service (SPAWN to worker 0).
      await Promise.all(SYSTEM_SERVICES.map(({ name, address }) => rt.startSystem(name, address)));
      if (parts.io) await rt.spawnService({ name: 'io', unique: true, local: true, args: [parts.io] });
    } catch (e) {
      await rt.stop();
      throw e;
    }
    return rt;
  }

  private constructor(p: RuntimeParts) {
    let exit!: (e: RuntimeExit) => void;
    this.exited = new Promise((r) => (exit = r));
    this.exit = exit;
    this.config = p.config;
    this.table = p.table;
    this.workers = new SchedulerWorkers({
      handles: p.handles,
      init: p,
      port: { arrived: (m) => this.arrived(m), exited: (id, reason) => this.supervisor.replace(id, `failed: ${reason}`) },
    });
    this.router = new Router({ table: p.table, queueLimit: p.config.queueLimit, maxMessageBytes: p.config.maxMessageBytes, outbox: this.workers, log: p.onLog });
    this.natives = this.nativePools(p);
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
    this.inspector = new Inspector({ table: p.table, workers: this.workers, askRoot: (all) => this.call<ServiceInfo[]>(Address.ROOT, 'inspect', all) });
    // In the vite dev server: saved .lua files and TypeScript service modules restart their services (the ltask() plugin sends them).
    this.unlistenHot = listenHot((u) => void this.reloadSource(u), (u) => this.workers.postAll({ type: 'reload-services', services: serviceReload(this.config, u) }));
    const { table, supervisor, natives } = this;
    const world = this.config.world ? new WorldMemory(this.config.world) : null;
    keepInternals(this, {
      table,
      world,
      wakeWorker: (w) => table.nudge(w),
      get replacedWorkers() {
        return supervisor.replacedWorkers;
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
    if (this.stopped) return Promise.reject(new Error('[ltask] the runtime has stopped'));
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

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.supervisor.stop();
    this.unlistenHot();
    this.router.sessions.failAll(new Error('[ltask] the runtime has stopped'));
    await Promise.all([...this.workers.terminateAll(), this.natives.stop()]);
    this.inspector.stop();
    this.exit({ code: 0 });
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
