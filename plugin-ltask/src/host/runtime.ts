/**
 * The runtime host: starts the scheduler workers, holds the shared service table
 * and the rings, and lets the thread that started it (a page's main thread, or a
 * Node process) talk to services. It never blocks.
 */
import { platform } from '#platform';
import { startWorker } from '#spawn';
import { decode, encode } from '../wire/codec/js.ts';
import { DEFAULT_MAX_BYTES } from '../wire/codec/format.ts';
import { Sessions } from '../wire/session.ts';
import { checkIsolation, type WorkerHandle } from '../platform/types.ts';
import { Address, MessageType, Receipt, SYSTEM_SERVICES, deadText, ServiceState, stateName, type ServiceInfo, type SourceReload, LUA_UPDATE_EVENT, type LuaUpdate, type WorkerConfig, type WorkerToHost } from '../wire/protocol.ts';
import type { SpawnOptions } from '../api/spawn.ts';
import type { IoOptions } from '../api/io.ts';
import { MAX_SERVICES, MAX_WORKERS, ServiceTable } from '../wire/table.ts';
import { createRingBuffer, frame, unframe, type Msg } from '../wire/transport/index.ts';
import { NativePools } from './pool.ts';
import type { NativeSource } from '../api/native.ts';
import { CarrierSlots, callWorker } from '../wire/slots.ts';
import { RootMemory } from '../wire/root-state.ts';

/** Options of {@link startRuntime}. Every field has a default. */
export interface RuntimeOptions {
  /** Scheduler workers (default: cores - 1, at least 1). */
  workers?: number;
  /** Requests a service may have queued before senders get "busy" (default 4096, as ltask). */
  queueLimit?: number;
  /** Where service scripts are found: `?`-templates separated by `;` (default `service/?.lua`). */
  servicePath?: string;
  /** Where `require` finds modules (default `lualib/?.lua`). */
  luaPath?: string;
  /** In-memory files by path, looked up before the platform (fetch / fs). */
  sources?: Record<string, string>;
  /** What relative paths resolve against (default: the page URL, or the working directory). */
  base?: string;
  /** TypeScript services: name to module URL (its default export is a ServiceFactory). */
  services?: Record<string, string | URL>;
  /** Largest encoded message (default 64 MiB). */
  maxMessageBytes?: number;
  /** How long an idle worker may poll before it sleeps, in microseconds; adaptive (default 50; 0: never spin). */
  spinMicros?: number;
  /**
   * How many idle workers may poll at once (default: the cores the workers leave
   * free, at least 1). A polling worker takes a core that a busy one may need.
   */
  maxSpinners?: number;
  /**
   * Stop a Lua handler that runs this long without yielding, with an error to
   * its caller (default 2,000 ms; 0: never). A service may set its own
   * (`spawn_service{ runaway_ms = ... }`).
   */
  runawayMs?: number;
  /**
   * Supervision: a worker whose thread has not come back to its loop for this
   * long (a TypeScript handler that loops, a library call that never returns,
   * a runaway the Lua hook cannot see) is terminated and replaced, like a
   * worker that crashed; its services are dead and every call waiting on them
   * fails (default 5,000 ms; 0: no watchdog, crashed workers are still replaced).
   */
  watchdogMs?: number;
  /**
   * Every Lua service's memory limit in bytes (default 0: none; a service may
   * set its own with `spawn_service{ mem_limit = ... }` or `ltask.mem_limit`).
   * The limit applies to the estimate of `ltask.mem_count` (a walk of what the
   * service reaches, at fixed sizes per object; see the Lua API docs for how
   * close it comes): checked every 20,000 instructions and after each
   * message, at most 1/20 of the service's time. Over it, the running handler
   * fails; still over after a message, the service fails (root's restart
   * policy applies). A single library call that allocates (`string.rep`) is
   * seen after it returns.
   */
  memLimit?: number;
  /**
   * Lua services keep the standard library functions that reach outside the
   * runtime: `io`, `os.exit`/`remove`/`rename`/`getenv`/`execute`/`tmpname`,
   * `dofile`, `loadfile`, `package.loadlib`, `debug.sethook`, binary chunks in
   * `load`. Default false (a sandbox): for trusted tools only.
   */
  trustedLua?: boolean;
  /** Size of each worker-to-worker ring in bytes (default 256 KiB). */
  ringBytes?: number;
  /**
   * Services alive at once (default and most: 65,536). Addresses stay unique
   * for much longer: a dead service's row is reused only when no fresh one
   * is left, under a new address (a generation count in its top bits), so an
   * old address never reaches a new service.
   */
  maxServices?: number;
  /**
   * Native modules by name. In the browser: a bundle from an import with the
   * `?ltask-native` suffix (works in dev and in builds), or the URL of a plain
   * JS module. In Node: the module's path or URL. The module's default export
   * is a NativeModule. Lua reaches them with `ltask.native "name"`.
   */
  natives?: Record<string, NativeSource>;
  /** How long a carrier waits for one callback before the call fails (default 30 s; 0: forever). */
  callbackTimeoutMs?: number;
  /**
   * How long one native call may run, callbacks included, before it fails at
   * the call site and its carrier is terminated and replaced (a library that
   * never returns); default 60 s; 0: forever.
   */
  nativeCallTimeoutMs?: number;
  /** Room in a carrier's mailbox; larger payloads cross in chunks (default 1 MiB). */
  mailboxBytes?: number;
  /**
   * The io service, started with the runtime under the name "io"
   * (`ltask.queryservice "io"`). Default: the fetch backend over `base` in a
   * browser, the fs backend over the working directory in Node. `false`: none.
   */
  io?: IoOptions | false;
  /** Receives every log line (default: console). */
  onLog?: (entry: LogEntry) => void;
}

/** One line of service output (`print`, `ltask.log.*`, `ctx.log.*`). */
export interface LogEntry {
  level: 'info' | 'error';
  source: number;
  label: string;
  text: string;
  time: number;
}

/** How the runtime ended. */
export interface RuntimeExit {
  /** 0: every service ended (ltask's rule); 1: supervision could not replace a failed worker or restart a system service. */
  code: number;
  error?: string;
}

const defaultLog = (e: LogEntry) => {
  const line = `[${e.label}:${e.source}] ${e.text}`;
  if (e.level === 'error') console.error(line);
  else console.log(line);
};

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
  const workers = Math.min(MAX_WORKERS, Math.max(1, Math.floor(options.workers ?? platform.cores() - 1)));
  const tsServices: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.services ?? {})) tsServices[k] = String(v);
  const config: WorkerConfig = {
    workers,
    queueLimit: options.queueLimit ?? 4096,
    servicePath: options.servicePath ?? 'service/?.lua',
    luaPath: options.luaPath ?? 'lualib/?.lua',
    sources: options.sources ?? {},
    base: options.base ?? platform.defaultBase(),
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_BYTES,
    spinMicros: options.spinMicros ?? 50,
    spinners: Math.max(1, Math.floor(options.maxSpinners ?? platform.cores() - workers)),
    runawayMs: options.runawayMs ?? 2_000,
    memLimit: options.memLimit ?? 0,
    trustedLua: options.trustedLua ?? false,
    nativeCallTimeoutMs: options.nativeCallTimeoutMs ?? 60_000,
    tsServices,
    nativeModules: [],
  };
  const natives: Record<string, NativeSource> = { ...options.natives };
  config.nativeModules = Object.keys(natives);
  const slots = CarrierSlots.create();
  const maxServices = options.maxServices ?? MAX_SERVICES;
  if (!(Number.isInteger(maxServices) && maxServices > Address.FIRST_FREE && maxServices <= MAX_SERVICES)) {
    throw new Error(`[ltask] maxServices must be an integer from ${Address.FIRST_FREE + 1} to ${MAX_SERVICES} (services alive at once)`);
  }
  const table = ServiceTable.create(maxServices);
  // Root and the system services live on worker 0 at fixed addresses.
  for (const { address } of SYSTEM_SERVICES) table.open(address, 0, 0);

  const ringSize = options.ringBytes ?? 256 * 1024;
  const rings = Array.from({ length: workers }, (_, from) =>
    Array.from({ length: workers }, (_, to) => (from === to ? null : createRingBuffer(ringSize))),
  );
  const rt = new Runtime(config, table, options.onLog ?? defaultLog, natives, slots, rings, ringSize, {
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    mailboxBytes: options.mailboxBytes ?? 1024 * 1024,
  });
  const handles: WorkerHandle[] = [];
  try {
    await Promise.all(
      Array.from({ length: workers }, (_, id) => {
        const { handle, ready } = rt.launch(id);
        handles.push(handle);
        return ready;
      }),
    );
  } catch (e) {
    await Promise.all(handles.map((h) => h.terminate()));
    throw e;
  }
  rt.attach(handles, options.watchdogMs ?? 5_000);
  try {
    // The system services start like any TypeScript service (SPAWN to worker 0).
    await Promise.all(SYSTEM_SERVICES.map(({ name, address }) => rt.startSystem(name, address)));
  } catch (e) {
    await rt.stop();
    throw e;
  }
  if (options.io !== false) {
    const io: IoOptions = options.io ?? (platform.name === 'node' ? { backend: 'fs', root: config.base } : { backend: 'fetch', root: config.base });
    try {
      await rt.spawnService({ name: 'io', unique: true, local: true, args: [io] });
    } catch (e) {
      await rt.stop();
      throw e;
    }
  }
  // In the vite dev server: saved .lua files restart their services (the ltask() plugin sends them).
  const hot = import.meta.hot;
  if (hot) {
    const onUpdate = (u: LuaUpdate) => void rt.reloadSource(u);
    hot.on(LUA_UPDATE_EVENT, onUpdate);
    rt.unlistenHot = () => hot.off(LUA_UPDATE_EVENT, onUpdate);
  }
  return rt;
}

/** A running runtime, as seen from the thread that started it. */
export class Runtime {
  private workers: WorkerHandle[] = [];
  private readonly client: Sessions;
  private outbox: Uint8Array[][] = [];
  private flushQueued = false;
  private stopped = false;
  private exitResolve!: (e: RuntimeExit) => void;
  /**
   * Resolves when the runtime ends by itself (every service ended), or when
   * supervision cannot go on (a replacement worker that cannot start, or a
   * system service that cannot start again): code 1 and why. A worker that
   * crashes or freezes is replaced and does not end the runtime.
   */
  readonly exited: Promise<RuntimeExit>;

  /** The carrier pools of the native modules. */
  readonly natives: NativePools;
  /** @internal Removes the dev server's hot-reload listener. */
  unlistenHot: (() => void) | null = null;
  private detailWaits = new Map<number, { left: number; out: Record<number, string>; done(d: Record<number, string>): void }>();
  private nextDetail = 1;

  constructor(
    readonly config: WorkerConfig,
    readonly table: ServiceTable,
    private readonly onLog: (e: LogEntry) => void,
    natives: Record<string, NativeSource>,
    private readonly slots: CarrierSlots,
    private readonly rings: (SharedArrayBuffer | null)[][],
    private readonly ringBytes: number,
    nativeOptions: { callbackTimeoutMs: number; mailboxBytes: number },
  ) {
    this.exited = new Promise((r) => (this.exitResolve = r));
    this.client = new Sessions(Address.HOST, (m) => this.route(m), () => config.maxMessageBytes);
    this.natives = new NativePools(natives, {
      table,
      slots,
      ...nativeOptions,
      maxMessageBytes: config.maxMessageBytes,
      fail: (callId, error) => this.workers[callWorker(callId)]?.postMessage({ type: 'native-fail', callId, error }),
      bind: (req, mailbox, carrier) => this.workers[req.worker]?.postMessage({ type: 'native-bind', callId: req.callId, mailbox, carrier }),
      announce: (slot, module, mailbox, gen) => {
        for (const w of this.workers) w.postMessage({ type: 'carrier', slot, module, mailbox, gen });
      },
    });
  }

  /** @internal Starts a system service at its fixed address (root: with the registry it had, after worker 0 died). */
  startSystem(name: string, address: number): Promise<unknown> {
    return this.client.call(address, MessageType.SPAWN, ['ts', name, name, address === Address.ROOT ? [this.rootMemory.snapshot()] : []]);
  }

  /** The host's copy of root's registry (root journals every change). */
  private readonly rootMemory = new RootMemory();

  /** Number of scheduler workers. */
  get workerCount(): number {
    return this.config.workers;
  }

  /** @internal Starts scheduler worker `id`; `ready` settles when it has taken its `init`. */
  launch(id: number): { handle: WorkerHandle; ready: Promise<void> } {
    const h = startWorker('scheduler', `ltask-worker-${id}`);
    const ready = new Promise<void>((resolve, reject) => {
      h.onExit((reason) => reject(new Error(`[ltask] ${reason}`)));
      const off = h.listen((d) => {
        if ((d as WorkerToHost).type === 'ready') {
          off();
          resolve();
        }
      });
    });
    h.postMessage({ type: 'init', workerId: id, config: this.config, table: this.table.sab, rings: this.rings, carriers: this.slots.sab });
    return { handle: h, ready };
  }

  /** @internal */
  attach(handles: WorkerHandle[], watchdogMs: number): void {
    this.workers = handles;
    this.outbox = handles.map(() => []);
    handles.forEach((h, id) => this.watch(h, id));
    if (watchdogMs > 0) this.startWatchdog(watchdogMs);
  }

  private watch(h: WorkerHandle, id: number): void {
    h.listen((d) => this.onWorker(d as WorkerToHost));
    h.onExit((reason) => this.replace(id, `failed: ${reason}`));
  }

  /** Replacement workers not ready yet (the watchdog waits for them). */
  private readonly starting = new Set<number>();
  /** When each worker's unanswered ping was sent. */
  private pingedAt: number[] = [];
  private watchdog: ReturnType<typeof setInterval> | undefined;

  /**
   * The watchdog: every quarter of `ms` (at most 1 s) each worker that
   * answered its last ping gets a new one (a ring: a sleeping worker wakes,
   * copies it and sleeps again); a worker that leaves one unanswered for `ms`
   * is stuck in one piece of synchronous work and is replaced.
   */
  private startWatchdog(ms: number): void {
    const t = this.table;
    this.pingedAt = this.workers.map(() => performance.now());
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (let w = 0; w < this.workers.length; w++) {
        if (this.starting.has(w)) continue;
        if (t.answered(w)) {
          t.ping(w);
          this.pingedAt[w] = now;
        } else if (now - this.pingedAt[w]! > ms) {
          this.replace(w, `stopped answering: its thread has not come back to its loop for ${Math.round(now - this.pingedAt[w]!)} ms (watchdogMs ${ms}): a handler or library call that never yields`);
        }
      }
    }, Math.min(1000, Math.max(10, ms / 4)));
    (this.watchdog as { unref?: () => void }).unref?.();
  }

  /** Times a worker was replaced (supervision). */
  replacedWorkers = 0;

  /**
   * Supervision: worker `id` crashed or froze. It is terminated; its services
   * are marked dead; every call waiting on them (from the host or any service)
   * fails with `{service:N} is dead: worker id <why>`; root hears of each (its
   * restart policies apply); a fresh worker takes its place with fresh rings.
   * Worker 0 holds the system services: they start again on its replacement,
   * root with the registry it had journaled here.
   */
  private replace(id: number, why: string): void {
    if (this.stopped) return;
    if (this.starting.has(id)) {
      // A replacement that dies before it is up would be replaced forever.
      this.fail(`[ltask] the replacement of worker ${id} could not start: ${why}`);
      return;
    }
    const old = this.workers[id]!;
    void old.terminate();
    const t = this.table;
    const dead: number[] = [];
    for (const a of t.addresses()) {
      const st = t.state(a);
      if (t.worker(a) === id && st !== ServiceState.UNUSED && st !== ServiceState.DEAD) {
        t.close(a);
        dead.push(a);
      }
    }
    const reason = `worker ${id} ${why}`;
    this.onLog({ level: 'error', source: Address.HOST, label: 'ltask', text: `[ltask] ${reason}; its services ended: ${dead.join(', ') || 'none'}`, time: Date.now() });
    const gone = new Set(dead);
    this.client.failTo(gone, (a) => deadText(a, reason));
    this.natives.abortWorker(id);
    try {
      for (let w = 0; w < this.workers.length; w++) {
        if (w === id) continue;
        this.rings[w]![id] = createRingBuffer(this.ringBytes);
        this.rings[id]![w] = createRingBuffer(this.ringBytes);
      }
    } catch (e) {
      this.fail(`[ltask] ${reason}, and no replacement can start: ${(e as Error).message}`);
      return;
    }
    t.resetPing(id);
    this.pingedAt[id] = performance.now();
    const { handle, ready } = this.launch(id);
    this.workers[id] = handle;
    this.replacedWorkers++;
    this.watch(handle, id);
    this.starting.add(id);
    ready.then(
      () => {
        this.starting.delete(id);
        t.resetPing(id);
      },
      () => {},
    );
    for (let w = 0; w < this.workers.length; w++) {
      if (w !== id) this.workers[w]!.postMessage({ type: 'peer', worker: id, toPeer: this.rings[w]![id]!, fromPeer: this.rings[id]![w]!, dead, reason });
    }
    if (id === 0) {
      // The system services start again at their addresses (messages to them
      // wait on the new worker until they do); root first, then what died.
      for (const { address } of SYSTEM_SERVICES) t.open(address, 0, 0);
      for (const { name, address } of SYSTEM_SERVICES) {
        this.startSystem(name, address).catch((e: Error) => this.fail(`[ltask] ${reason}, and ${name} could not start again: ${e.message}`));
      }
    }
    for (const a of dead) {
      if (a < Address.FIRST_FREE) continue;
      this.route({ type: MessageType.SIGNAL, source: a, dest: Address.ROOT, session: 0, payload: encode([deadText(a, reason)]) });
    }
  }

  private onWorker(m: WorkerToHost): void {
    switch (m.type) {
      case 'msgs':
        for (const b of m.batch) this.onMessage(unframe(b));
        break;
      case 'exit':
        this.exitResolve({ code: m.code, error: m.error });
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
      case 'details': {
        const w = this.detailWaits.get(m.id);
        if (!w) break;
        Object.assign(w.out, m.details);
        if (--w.left === 0) {
          this.detailWaits.delete(m.id);
          w.done(w.out);
        }
        break;
      }
    }
  }

  private onMessage(m: Msg): void {
    if (m.type === MessageType.LOG) {
      const [level, label, text, time] = decode(m.payload) as ['info' | 'error', string, string, number];
      this.onLog({ level, source: m.source, label, text, time });
      return;
    }
    if (m.type === MessageType.REQUEST && m.session !== 0) {
      this.route({ type: MessageType.ERROR, source: Address.HOST, dest: m.source, session: m.session, payload: encode(['[ltask] the host answers no requests']) });
      return;
    }
    this.client.settle(m);
  }

  private fail(error: string): void {
    clearInterval(this.watchdog);
    this.client.failAll(new Error(error));
    this.exitResolve({ code: 1, error });
  }

  private route(m: Msg): Receipt {
    const t = this.table;
    const st = t.state(m.dest);
    if (st === ServiceState.UNUSED || st === ServiceState.DEAD) return Receipt.DEAD;
    if (m.type === MessageType.REQUEST && !t.enqueue(m.dest, this.config.queueLimit)) return Receipt.BUSY;
    this.outbox[t.worker(m.dest)]!.push(frame(m));
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
    return Receipt.DONE;
  }

  private readonly flush = () => {
    this.flushQueued = false;
    this.outbox.forEach((batch, w) => {
      if (batch.length === 0) return;
      this.outbox[w] = [];
      this.workers[w]!.postMessage({ type: 'msgs', batch }, batch.map((b) => b.buffer as ArrayBuffer));
    });
  };

  /** Calls `name` on a service; resolves to all its results. */
  callMulti(addr: number, name: string, ...args: unknown[]): Promise<unknown[]> {
    if (this.stopped) return Promise.reject(new Error('[ltask] the runtime has stopped'));
    return this.client.call(addr, MessageType.REQUEST, [name, ...args]);
  }

  /** Calls `name` on a service; resolves to its first result. */
  async call<T = unknown>(addr: number, name: string, ...args: unknown[]): Promise<T> {
    return (await this.callMulti(addr, name, ...args))[0] as T;
  }

  /** Sends without waiting. False when the service is dead; throws when it is busy. */
  send(addr: number, name: string, ...args: unknown[]): boolean {
    return this.client.send(addr, [name, ...args]);
  }

  /** Spawns a service by name (a Lua script on the service path, or a registered TypeScript service). */
  spawn(name: string, ...args: unknown[]): Promise<number> {
    return this.call<number>(Address.ROOT, 'spawn', name, ...args);
  }

  /** ltask's `spawn_service{ name, args, worker_id, unique, label }`. */
  spawnService(options: SpawnOptions): Promise<number> {
    return this.call<number>(Address.ROOT, 'spawn_service', options);
  }

  uniqueservice(name: string, ...args: unknown[]): Promise<number> {
    return this.call<number>(Address.ROOT, 'uniqueservice', name, ...args);
  }

  queryservice(name: string): Promise<number> {
    return this.call<number>(Address.ROOT, 'queryservice', name);
  }

  /** Asks a service to quit. Resolves to false if it was already gone. */
  kill(addr: number): Promise<boolean> {
    return this.call<boolean>(Address.ROOT, 'kill', addr);
  }

  /** Every live service (all, dead included, when `all`): address, label, worker, state, queue, handled, CPU. */
  async inspect(all = false, waitMs = 1000): Promise<ServiceInfo[]> {
    // Root and every worker are asked; what does not come within `waitMs` (a
    // worker frozen in a long call) is replaced by what the shared table says.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(r, waitMs, null)));
    const [rows, details] = await Promise.all([
      Promise.race([this.call<ServiceInfo[]>(Address.ROOT, 'inspect', all).catch(() => null), late]),
      this.details(waitMs),
    ]);
    clearTimeout(timer);
    if (rows) for (const r of rows) this.labels.set(r.address, r.label);
    const out = rows ?? this.tableRows(all);
    for (const r of out) {
      const d = details[r.address];
      if (d) r.detail = d;
    }
    return out;
  }

  /** Labels seen in root's answers, for rows read from the table alone. */
  private readonly labels = new Map<number, string>();

  /** Every service the shared table knows (not dead, unless `all`), without asking root. */
  private tableRows(all: boolean): ServiceInfo[] {
    const t = this.table;
    const rows: ServiceInfo[] = [];
    for (const a of t.addresses()) {
      const st = t.state(a);
      if (st === ServiceState.UNUSED || (!all && st === ServiceState.DEAD)) continue;
      const label = this.labels.get(a) ?? SYSTEM_SERVICES.find((x) => x.address === a)?.name ?? '?';
      rows.push({ address: a, label, kind: a < Address.FIRST_FREE || label === 'io' ? 'ts' : 'lua', worker: t.worker(a), state: stateName(st), queue: t.queue(a), handled: t.handled(a), cpuMs: 0, fromTable: true });
    }
    return rows;
  }

  /** What suspended services wait on, asked of every worker; after `waitMs`, what has come. */
  private details(waitMs: number): Promise<Record<number, string>> {
    const id = this.nextDetail++;
    return new Promise((done) => {
      const w = { left: this.workers.length, out: {} as Record<number, string>, done };
      this.detailWaits.set(id, w);
      for (const h of this.workers) h.postMessage({ type: 'details', id });
      setTimeout(() => {
        if (this.detailWaits.delete(id)) done(w.out);
      }, waitMs);
    });
  }

  /** Times a service's VM was entered while already running anywhere (must stay 0). */
  get serialViolations(): number {
    return this.table.violations;
  }

  /** State of one service, read from the shared table without a message. */
  state(addr: number): number {
    return this.table.state(addr);
  }

  /**
   * Restarts the Lua services that run a changed script, at their addresses,
   * with their spawn arguments; their queued messages wait for the new code.
   * The dev server calls it when a `.lua` file is saved (the ltask() vite
   * plugin): `urlPath` is the file's URL path (`/service/hello.lua`), and
   * `previous` its old text, which finds it among `sources` when it was
   * imported (`import hello from './hello.lua'`). Requests a restarted service
   * was still handling get an error (`restarted (hot reload)`). Returns the
   * script paths updated.
   */
  reloadSource(update: LuaUpdate): string[] {
    const base = this.config.base.endsWith('/') ? this.config.base : this.config.base + '/';
    const urlPath = (p: string) => {
      try {
        return new URL(p, base).pathname;
      } catch {
        return p;
      }
    };
    const paths = Object.keys(this.config.sources).filter(
      (k) => (update.previous !== undefined && this.config.sources[k] === update.previous) || urlPath(k) === update.urlPath,
    );
    for (const p of paths) this.config.sources[p] = update.source;
    const reload: SourceReload = { paths, urlPath: update.urlPath, source: update.source };
    for (const w of this.workers) w.postMessage({ type: 'reload', reload });
    return paths;
  }

  /** Stops every worker now. Pending calls fail. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watchdog);
    this.unlistenHot?.();
    this.client.failAll(new Error('[ltask] the runtime has stopped'));
    await Promise.all([...this.workers.map((w) => w.terminate()), this.natives.stop()]);
    for (const w of this.detailWaits.values()) w.done(w.out);
    this.exitResolve({ code: 0 });
  }
}
