/**
 * The runtime's options, and what they resolve to before any worker starts:
 * the configuration every worker receives, the shared service table, the
 * rings between workers and the carrier table. The defaults and the checks of
 * the options are read here, in one place, apart from the running runtime.
 */
import { WorldMemory } from '../wire/world/layout.ts';
import { platform } from '#platform';
import { DEFAULT_MAX_BYTES } from '../wire/codec/format.ts';
import { Address, SYSTEM_SERVICES, type WorkerConfig } from '../wire/protocol.ts';
import { MAX_SERVICES, MAX_WORKERS, ServiceTable } from '../wire/table.ts';
import { createRingBuffer } from '../wire/transport/index.ts';
import { CarrierSlots } from '../wire/slots.ts';
import type { IoOptions } from '../api/io.ts';
import type { NativeSource } from '../api/native.ts';
import type { LogEntry, RuntimeOptions } from '../api/runtime.ts';
import type { ServiceSource } from '../api/service-bundle.ts';


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

/** How many scheduler workers the options ask for (default: one per core but one). */
export function workerCount(options: Pick<RuntimeOptions, 'workers'>): number {
  return Math.min(MAX_WORKERS, Math.max(1, Math.floor(options.workers ?? platform.cores() - 1)));
}

/** The configuration every worker receives (native modules are filled in by the caller). */
function workerConfig(options: RuntimeOptions): WorkerConfig {
  const workers = workerCount(options);
  const base = options.base ?? platform.defaultBase();
  const tsServices: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.services ?? {})) {
    if (RESERVED_NAMES.includes(k)) {
      throw new Error(`[ltask] services.${k}: "${k}" is the name of a system service (${RESERVED_NAMES.join(', ')}); register yours under another name`);
    }
    tsServices[k] = serviceUrl(k, v, base);
  }
  return {
    workers,
    queueLimit: options.queueLimit ?? 4096,
    servicePath: options.servicePath ?? 'service/?.lua',
    luaPath: options.luaPath ?? 'lualib/?.lua',
    sources: options.sources ?? {},
    base,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_BYTES,
    spinMicros: options.spinMicros ?? 50,
    spinners: Math.max(1, Math.floor(options.maxSpinners ?? platform.cores() - workers)),
    runawayMs: options.runawayMs ?? 2_000,
    memLimit: options.memLimit ?? 0,
    trustedLua: options.trustedLua ?? false,
    nativeCallTimeoutMs: options.nativeCallTimeoutMs ?? 60_000,
    tsServices,
    nativeModules: [],
    world: options.world ? new WorldMemory({ ...options.world, workers }).share : null,
  };
}

/** The system services, started by name at their fixed addresses: a service registered under one would take its place. */
const RESERVED_NAMES: readonly string[] = SYSTEM_SERVICES.map((s) => s.name);

/** A module URL with a scheme (`https:`, `file:`, `blob:`...), not a path (a Windows drive letter is one character). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * The URL a worker imports TypeScript service `name` from: a bundle's module,
 * or a URL or path resolved against `base`. Throws, with the fix, on a value
 * that names no module, and on a bundle from a web server under Node.
 */
function serviceUrl(name: string, src: ServiceSource, base: string): string {
  if (src instanceof URL) return src.href;
  if (typeof src === 'string') {
    if (HAS_SCHEME.test(src)) return src;
    try {
      return new URL(src, base).href;
    } catch {
      return src;
    }
  }
  if (src !== null && typeof src === 'object' && typeof (src as { service?: unknown }).service === 'string') {
    const url = src.service;
    if (platform.name === 'node' && !url.startsWith('file:') && !url.startsWith('data:')) {
      throw new Error(
        `[ltask] services.${name} is a ?ltask-service bundle for a browser (${url}); in Node a service is given by its path: ` +
          `services: { ${name}: './${name}.ts' } (or its file URL), or \`npx ltask --service ${name}=./${name}.ts\``,
      );
    }
    return url;
  }
  const what = typeof src === 'function' ? 'a function (the factory itself?)' : src === null ? 'null' : typeof src === 'object' ? 'an object without a `service` URL' : `a ${typeof src}`;
  throw new Error(
    `[ltask] services.${name} is ${what}: a service runs on a worker, so it is named by its module, not passed as a value. ` +
      `Give import ${name} from './${name}.ts?ltask-service' (the ltask() vite plugin), or the module's URL or path.`,
  );
}
