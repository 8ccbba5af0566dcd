/**
 * What a game holds and configures: the `Runtime` that `startRuntime` gives,
 * its options, its log lines and how it ends. Types only; the host implements
 * them (host/runtime.ts).
 */
import type { WorldSchema } from '../wire/world/layout.ts';
import type { LuaUpdate, ServiceInfo } from '../wire/protocol.ts';
import type { Remote } from '../wire/remote.ts';
import type { IoOptions } from './io.ts';
import type { NativeSource } from './native.ts';
import type { ServiceSource } from './service-bundle.ts';
import type { SpawnOptions } from './spawn.ts';

/** A running runtime, as seen from the thread that started it. */
export interface Runtime {
  /**
   * Resolves when the runtime ends by itself (every service ended), or when
   * supervision cannot go on (a replacement worker that cannot start, or a
   * system service that cannot start again): code 1 and why. A worker that
   * crashes or freezes is replaced and does not end the runtime.
   */
  readonly exited: Promise<RuntimeExit>;
  /** Number of scheduler workers. */
  readonly workerCount: number;
  /** Times a service's VM was entered while already running anywhere (must stay 0). */
  readonly serialViolations: number;
  /** Calls `name` on a service; resolves to its first result. */
  call<T = unknown>(addr: number, name: string, ...args: unknown[]): Promise<T>;
  /**
   * A typed proxy for the service at `addr`, the way comlink's `Remote<T>`
   * works: `await rt.remote<Score>(addr).add(1)` is `rt.call(addr, 'add', 1)`,
   * with the arguments and the result checked by tsc; every method resolves
   * to the handler's first result and rejects with `ServiceError` as `call`
   * does. `T` is a TypeScript service's handlers (`ServiceOf<typeof score>`)
   * or an interface written for a Lua service (a Lua `nil` arrives as
   * `undefined`). Build it once and keep it: a call through it costs what
   * `call` costs. `call` with a string name stays for untyped calls.
   * @example
   * ```ts
   * import type { Score } from './score.ts';
   * const score = rt.remote<Score>(await rt.uniqueService('score'));
   * const total: number = await score.add(1);
   * ```
   */
  remote<T>(addr: number): Remote<T>;
  /** Calls `name` on a service; resolves to all its results. */
  callMulti(addr: number, name: string, ...args: unknown[]): Promise<unknown[]>;
  /** Sends without waiting. False when the service is dead; throws when it is busy. */
  send(addr: number, name: string, ...args: unknown[]): boolean;
  /** Spawns a service by name (a Lua script on the service path, or a registered TypeScript service). */
  spawn(name: string, ...args: unknown[]): Promise<number>;
  /** ltask's `spawn_service{ name, args, worker_id, unique, label }`. */
  spawnService(options: SpawnOptions): Promise<number>;
  /** ltask's `uniqueservice`: the service registered under `name`, spawned with `args` if there is none. */
  uniqueService(name: string, ...args: unknown[]): Promise<number>;
  /** ltask's `queryservice`: the address of the service registered under `name`, once there is one. */
  queryService(name: string): Promise<number>;
  /** Asks a service to quit. Resolves to false if it was already gone. */
  kill(addr: number): Promise<boolean>;
  /**
   * Every live service (all, dead included, when `all`): address, label,
   * worker, state, queue, handled, CPU. Root and every worker are asked; what
   * does not come within `waitMs` (a worker frozen in a long call) is replaced
   * by what the shared table says (rows marked `fromTable`).
   */
  inspect(all?: boolean, waitMs?: number): Promise<ServiceInfo[]>;
  /** State of one service, read from the shared table without a message. */
  state(addr: number): number;
  /** The native modules' carriers now, busy or idle. */
  carriers(): readonly CarrierInfo[];
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
  reloadSource(update: LuaUpdate): string[];
  /** Stops every worker now. Pending calls fail. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startRuntime}. Every field has a default. */
export interface RuntimeOptions {
  /** Scheduler workers (default: cores - 1, at least 1). */
  workers?: number;
  /**
   * The world shared with services (`ctx.world`, Lua's `world` module): set by
   * `LtaskPlugin`'s `world` option, which also applies what services write.
   */
  world?: Omit<WorldSchema, 'workers'>;
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
  /**
   * TypeScript services by name: `spawn(name)`, `uniqueService(name)` and
   * Lua's `ltask.spawn(name)` start them. Under the ltask() vite plugin give
   * the bundle of an import with the `?ltask-service` suffix (dev and
   * production builds); else the module's URL or path, resolved against
   * `base` (in Node a path such as `./score.ts`; `.ts` loads through tsx).
   * The module's default export is a ServiceFactory. In the dev server,
   * saving the file (or a module it imports) restarts its services at their
   * addresses, queued messages kept.
   * @example
   * ```ts
   * import score from './score.ts?ltask-service';
   * await startRuntime({ services: { score } });
   * ```
   */
  services?: Record<string, ServiceSource>;
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
   * never returns); default 60 s; 0: forever. It counts from the moment a
   * carrier takes the call: waiting for a carrier to start or free up is not
   * running.
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

/** A carrier as the runtime shows it (`Runtime.carriers()`). */
export interface CarrierInfo {
  /** The native module it runs. */
  readonly module: string;
  /** Its slot in the carrier table (a slot is reused once its carrier has ended). */
  readonly id: number;
  /** The id of the call it runs; null while it is idle. */
  readonly busy: number | null;
}
