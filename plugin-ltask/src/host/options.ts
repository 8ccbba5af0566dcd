/**
 * The runtime's options, and what they resolve to before any worker starts:
 * the configuration every worker receives, the shared service table, the
 * rings between workers and the carrier table. The defaults and the checks of
 * the options are read here, in one place, apart from the running runtime.
 */
import { platform } from '#platform';
import { DEFAULT_MAX_BYTES } from '../wire/codec/format.ts';
import { Address, SYSTEM_SERVICES, type WorkerConfig } from '../wire/protocol.ts';
import { MAX_SERVICES, MAX_WORKERS, ServiceTable } from '../wire/table.ts';
import { createRingBuffer } from '../wire/transport/index.ts';
import { CarrierSlots } from '../wire/slots.ts';
import type { IoOptions } from '../api/io.ts';
import type { NativeSource } from '../api/native.ts';

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

/** Where log lines go when the options name no `onLog`. */
const defaultLog = (e: LogEntry) => {
  const line = `[${e.label}:${e.source}] ${e.text}`;
  if (e.level === 'error') console.error(line);
  else console.log(line);
};

/** What a runtime starts from: its options resolved, and the shared memory its workers get. */
export interface RuntimeSetup {
  readonly config: WorkerConfig;
  readonly table: ServiceTable;
  readonly slots: CarrierSlots;
  /**
   * Rings by sender, then receiver (none from a worker to itself). Supervision
   * puts fresh ones in place of a replaced worker's, in this same array, so
   * that a replacement's `init` carries them.
   */
  readonly rings: (SharedArrayBuffer | null)[][];
  readonly ringBytes: number;
  /** Native modules by name; a module's index is its position. */
  readonly natives: Record<string, NativeSource>;
  readonly callbackTimeoutMs: number;
  readonly mailboxBytes: number;
  /** 0: no watchdog. */
  readonly watchdogMs: number;
  readonly onLog: (e: LogEntry) => void;
  /** The io service's options; null: no io service. */
  readonly io: IoOptions | null;
}

/** Resolves the options (defaults, checks) and makes the shared memory; throws on a bad option. */
export function resolveOptions(options: RuntimeOptions): RuntimeSetup {
  const config = workerConfig(options);
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
  const ringBytes = options.ringBytes ?? 256 * 1024;
  const rings = Array.from({ length: config.workers }, (_, from) =>
    Array.from({ length: config.workers }, (_, to) => (from === to ? null : createRingBuffer(ringBytes))),
  );
  const io = options.io === false ? null : (options.io ?? (platform.name === 'node' ? { backend: 'fs', root: config.base } : { backend: 'fetch', root: config.base }));
  return {
    config,
    table,
    slots,
    rings,
    ringBytes,
    natives,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    mailboxBytes: options.mailboxBytes ?? 1024 * 1024,
    watchdogMs: options.watchdogMs ?? 5_000,
    onLog: options.onLog ?? defaultLog,
    io,
  };
}

/** The configuration every worker receives (native modules are filled in by the caller). */
function workerConfig(options: RuntimeOptions): WorkerConfig {
  const workers = Math.min(MAX_WORKERS, Math.max(1, Math.floor(options.workers ?? platform.cores() - 1)));
  const tsServices: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.services ?? {})) tsServices[k] = String(v);
  return {
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
}
