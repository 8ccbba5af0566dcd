/**
 * Every wire code of the runtime, in one place. The Lua service library receives
 * these same numbers from the host (see `lua/service.lua`), and a test keeps
 * both sides equal.
 *
 * Message types and receipts follow ltask (`src/message.h`, `lualib/service.lua`).
 */

/** Types of service messages. 0-5 are ltask's numbers. */
export const MessageType = {
  /** A system request: init, quit, traceback, memory. */
  SYSTEM: 0,
  /** A request: `call` (session > 0) or `send` (session 0). */
  REQUEST: 1,
  /** A successful response to a session. */
  RESPONSE: 2,
  /** An error response to a session: the payload is the error with its remote traceback. */
  ERROR: 3,
  /** A service ended: sent to root (the source is the dead service). */
  SIGNAL: 4,
  /** Scheduler control: create a service at `dest` on the receiving worker. */
  SPAWN: 8,
  /**
   * A native call's callback, to run in the service: `source` is the call id,
   * `session` the callback's sequence number, the payload `[callbackId, ...args]`.
   */
  CALLBACK: 9,
  /**
   * A native call, from a service to its worker's native home: `session` is
   * the caller's, the payload `[parent call id or 0, module, fn, ...args]`.
   */
  NATIVE_CALL: 10,
  /** A callback's results, from the service to the carrier: `dest` is the call id, `session` the callback's sequence number. */
  CALLBACK_RETURN: 11,
  /** A callback's error, as CALLBACK_RETURN (the payload is the error text). */
  CALLBACK_ERROR: 12,
  /** A log line, to the host: the payload is `[level, label, text, time]`. */
  LOG: 13,
  /** A world tick, from a worker to one of its own services (never crosses threads): the App published a frame. */
  TICK: 14,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** What `send` tells the sender at once (ltask's receipts). */
export const Receipt = {
  DONE: 0,
  /** The destination does not exist or has ended. */
  DEAD: 1,
  /** The destination's queue is full: ltask's "busy". */
  BUSY: 2,
} as const;
export type Receipt = (typeof Receipt)[keyof typeof Receipt];

/** Service states, readable by any thread from the shared service table. */
export const ServiceState = {
  /** The slot is free (never used). */
  UNUSED: 0,
  /** Being created: source loading, VM starting. Messages queue up. */
  INIT: 1,
  /** Nothing to do. */
  IDLE: 2,
  /** Messages are waiting to run. */
  READY: 3,
  /** A worker runs it right now. */
  RUNNING: 4,
  /** Parked in a native call (its VM keeps serving other messages). */
  SUSPENDED: 5,
  /** Ended. */
  DEAD: 6,
} as const;
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** Names of the states, for introspection. */
export const stateName = (s: number): string =>
  (['unused', 'init', 'idle', 'ready', 'running', 'suspended', 'dead'] as const)[s] ?? `unknown(${s})`;

/** Fixed addresses. */
export const Address = {
  /** The host (main thread or the Node process that started the runtime). */
  HOST: 0,
  /** The root service: spawn, names, shutdown. */
  ROOT: 1,
  /** The logger service. */
  LOGGER: 2,
  /** The timer service. */
  TIMER: 3,
  /** The first address of an ordinary service. */
  FIRST_FREE: 4,
} as const;

/**
 * The system services, started by the host on worker 0 at fixed addresses
 * like any TypeScript service (their factories get a privileged context).
 */
export const SYSTEM_SERVICES = [
  { name: 'root', address: Address.ROOT },
  { name: 'logger', address: Address.LOGGER },
  { name: 'timer', address: Address.TIMER },
] as const;

/** The error of a call whose service ended without answering (its worker died): names both. */
export const deadText = (addr: number, reason: string): string => `{service:${addr}} is dead: ${reason}`;

/** Messages between the host and a worker (postMessage, structured clone). */
export type HostToWorker =
  | { type: 'init'; workerId: number; config: WorkerConfig; table: SharedArrayBuffer; rings: RingSet; carriers: SharedArrayBuffer }
  | { type: 'carrier'; slot: number; module: number; mailbox: SharedArrayBuffer | null; gen: number }
  | { type: 'msgs'; batch: Uint8Array[] }
  | { type: 'details'; id: number }
  | { type: 'native-bind'; callId: number; mailbox: SharedArrayBuffer; carrier: number }
  | { type: 'native-fail'; callId: number; error: string }
  | { type: 'reload'; reload: SourceReload }
  /** Hot reload of TypeScript services: by name, the URL of the new module; their running services restart with it. */
  | { type: 'reload-services'; services: Record<string, string> }
  /** Worker `worker` was replaced: fresh rings to and from it; calls waiting on `dead` fail. */
  | { type: 'peer'; worker: number; toPeer: SharedArrayBuffer; fromPeer: SharedArrayBuffer; dead: number[]; reason: string };

/** The event the ltask() vite plugin sends from the dev server when a `.lua` file is saved. */
export const LUA_UPDATE_EVENT = 'ltask:lua-update';

/** What comes with {@link LUA_UPDATE_EVENT}. */
export interface LuaUpdate {
  /** The URL path the file is served at (`/service/hello.lua`; files in `public/` without the `/public`). */
  urlPath: string;
  /** The new text. */
  source: string;
  /** The text before, when the page imported the file (it finds the file among `sources`). */
  previous?: string;
}

/** The event the ltask() vite plugin sends when a module of a TypeScript service (`?ltask-service`) is saved. */
export const SERVICE_UPDATE_EVENT = 'ltask:service-update';

/** The dev server's event for a saved asset file under `public/` (textures, glTF, JSON, audio): its URL path. */
export const ASSET_UPDATE_EVENT = 'ltask:asset-update';

/** What comes with {@link SERVICE_UPDATE_EVENT}. */
export interface ServiceUpdate {
  /** The URL paths of the service modules that import the saved file, or are it (`/src/score.ts`). */
  urlPaths: string[];
  /** The update's time stamp: the new module is imported with `?t=` it, as vite's own updates. */
  timestamp: number;
}

/**
 * New text for a service script (hot reload in the dev server). Lua services
 * whose script path is one of `paths`, or resolves to the URL path `urlPath`,
 * restart with it at the same address.
 */
export interface SourceReload {
  paths: string[];
  urlPath: string;
  source: string;
}

export type WorkerToHost =
  | { type: 'ready'; workerId: number }
  | { type: 'msgs'; batch: Uint8Array[] }
  | { type: 'details'; id: number; details: Record<number, string> }
  | { type: 'native-call'; request: NativeRequest }
  | { type: 'native-abort'; callId: number }
  | { type: 'exit'; code: number; error?: string }
  /** Root's registry changes, kept by the host for a root that replaces a dead one. */
  | { type: 'root-state'; ops: RootOp[] };

import type { NativeRequest } from './native.ts';
import type { RootOp } from './root-state.ts';
import type { WorldShare } from './world/layout.ts';

/** The configuration every worker receives. */
export interface WorkerConfig {
  workers: number;
  /** Maximum queued requests per service before "busy". */
  queueLimit: number;
  /** `?`-templates for service scripts, separated by `;`. */
  servicePath: string;
  /** `?`-templates for `require`, separated by `;`. */
  luaPath: string;
  /** In-memory sources by path; looked up before the platform loader. */
  sources: Record<string, string>;
  /** Base URL (browser) or directory (Node) that relative paths resolve against. */
  base: string;
  /** Maximum encoded size of one message, in bytes. */
  maxMessageBytes: number;
  /** Microseconds a worker polls for new messages before it sleeps (0: never spin). */
  spinMicros: number;
  /** At most this many workers poll at once; the others sleep at once (polling takes a core). */
  spinners: number;
  /** A Lua handler running longer than this without yielding is stopped (0: never). */
  runawayMs: number;
  /** A Lua service's memory limit in estimated bytes (0: none). */
  memLimit: number;
  /** Lua services keep every standard library function (files, environment, process exit, loadlib). */
  trustedLua: boolean;
  /** A native call that runs longer is failed and its carrier replaced (0: never). */
  nativeCallTimeoutMs: number;
  /** TypeScript services by name: module URLs. */
  tsServices: Record<string, string>;
  /** Native module names; a module's index is its position (carrier table). */
  nativeModules: string[];
  /** The App's world shared with services (LtaskPlugin's `world` option), or null. */
  world: WorldShare | null;
}

/** Shared rings between workers: `rings[from][to]`, null on the diagonal. */
export type RingSet = (SharedArrayBuffer | null)[][];

/** One row of `runtime.inspect()`. */
export interface ServiceInfo {
  address: number;
  label: string;
  kind: 'lua' | 'ts';
  worker: number;
  state: string;
  queue: number;
  handled: number;
  cpuMs: number;
  /** What a suspended service waits on. */
  detail?: string;
  /**
   * True when root did not answer in time (its worker busy or stuck): the row
   * comes from the shared service table alone, with the label last known.
   */
  fromTable?: boolean;
}
