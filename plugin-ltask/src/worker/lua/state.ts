/**
 * The state of a Lua service, declared in one place, and the types it is made
 * of (a coroutine, what waits on a session, what the service needs of its
 * worker).
 *
 * The behaviour is apart: LuaService (lua-service.ts) adds the constructor and
 * the entry points, and the files beside it (the coroutine driving, the
 * primitives) take this state as their first argument, as ltask's C functions
 * take their service. They import this file, not lua-service.ts, so the
 * service and its primitives do not import each other.
 */
import type { LuaState } from 'fengari';
import type { Receipt, WorkerConfig } from '../../wire/protocol.ts';
import type { ServiceTable } from '../../wire/table.ts';
import type { Msg } from '../../wire/transport/index.ts';
import { HostedService } from '../service.ts';
import type { SourceLoader } from '../sources.ts';
import type { WorkerWorld } from '../world.ts';

/** What a Lua service needs of its scheduler worker. */
export interface LuaPort {
  /** The worker's id. */
  readonly id: number;
  readonly config: Pick<WorkerConfig, 'maxMessageBytes' | 'trustedLua'>;
  /** Marks the service's VM as running (one at a time) and counts its CPU time. */
  readonly table: Pick<ServiceTable, 'enter' | 'leave' | 'violation' | 'cpuMs'>;
  /** Puts a message on its way; ltask's receipt. */
  send(m: Msg): Receipt;
  /** Puts a message into a service's queue on this worker. */
  deliver(m: Msg): void;
  /** Answers a request that will not run with an error. */
  bounce(m: Msg, text: string): void;
  log(level: 'info' | 'error', source: number, label: string, text: string): void;
  /** The App's world on this worker (null: the runtime shares none). */
  readonly world: WorkerWorld | null;
}

/** Where the service's `require` and script loads find sources. */
export type LuaSources = Pick<SourceLoader, 'find'>;

/** What a Lua service is made with. */
export interface LuaServiceOptions {
  address: number;
  label: string;
  /** Its scheduler worker. */
  sched: LuaPort;
  sources: LuaSources;
  /** A handler that runs longer without yielding is stopped (0: never). */
  runawayMs: number;
  /** The memory limit in estimated bytes (0, or left out: none). */
  memLimit?: number;
}

/** The library's entry functions the runtime calls. */
export type Entry = 'request' | 'system' | 'init' | 'async' | 'tick';

/** What a coroutine runs for, which decides where its results go. */
export const Job = {
  /** A request or system message: results answer `from`/`session`. */
  REQUEST: 0,
  /** The main chunk: results answer root's spawn. */
  INIT: 1,
  /** A native call's callback: results go back to the carrier. */
  CALLBACK: 2,
  /** fork, timeout, async answers: results are dropped, errors logged. */
  TASK: 3,
} as const;
export type Job = (typeof Job)[keyof typeof Job];

/** One Lua thread and what it is doing. Pooled: a finished thread is reused. */
export interface Co {
  L: LuaState;
  job: Job;
  /** The request this coroutine answers (session 0: none, or answered). */
  from: number;
  session: number;
  /** CALLBACK: the native call and the callback's sequence number. */
  callId: number;
  seq: number;
  /** While it waits on a call: the service that will answer (a death there fails the call). */
  dest: number;
}

/** A waiting session answered by the library's `async` entry (ltask.request sessions). */
export const ASYNC = 'async';
/** A waiting session whose coroutine has not started yet (ltask.timeout). */
export interface Deferred {
  start: Co;
  nargs: number;
}
/** What waits on one of a service's sessions. */
export type Waiter = Co | Deferred | typeof ASYNC;

/**
 * A Lua service's state: every field of it, and the few methods of
 * LuaService that the primitives call.
 */
export abstract class LuaServiceState extends HostedService {
  // ---- what it uses
  readonly sched: LuaPort;
  readonly sources: LuaSources;
  /** A handler that runs longer without yielding is stopped (0: never). */
  readonly runawayMs: number;
  /** Where the script came from and the spawn arguments: a hot reload restarts with them. */
  scriptPath = '';
  spawnArgs: Uint8Array | null = null;

  // ---- the Lua state (set up by LuaService's constructor)
  /** The main state (null once disposed). */
  L: LuaState | null = null;
  /** The library's entry functions, by registry reference. */
  entries: Readonly<Record<Entry, number>> = { request: 0, system: 0, init: 0, async: 0, tick: 0 };
  /** The registry reference of the table of Lua functions native calls may call back, by callback id. */
  callbacksRef = 0;
  nextCallback = 0;
  nextSession = 1;

  // ---- coroutines and sessions
  /** The coroutine being resumed right now. */
  current: Co | null = null;
  /** Set by the blocking core functions during a resume. */
  blocked = false;
  readonly pool: Co[] = [];
  /** Sessions this service waits on: the coroutine to resume, or where the answer goes. */
  readonly waiting = new Map<number, Waiter>();
  /** Where the `ltask.request` sessions still waiting went (a coroutine's call keeps it in `Co.dest`). */
  readonly requestedOf = new Map<number, number>();
  /** The callback ids a native call (by session) holds: released with its answer. */
  readonly nativeCallbacks = new Map<number, number[]>();
  /** Threads blocked in `ltask.wait`, by the coroutine the runtime resumes to wake them. */
  readonly blockedIn = new Map<LuaState, Co>();
  /** Coroutines to resume after the current one (fork, wakeup): thread and argument count. */
  readonly wakeups: { co: Co; nargs: number }[] = [];
  /** Requests being answered: they get "has quit" if the service quits first. */
  readonly answering = new Set<Co>();
  /** Why the last payload could not be pushed. */
  malformed = '';

  // ---- start and end
  /** While the main chunk runs, requests wait here (unless it registered handlers). */
  pending: Msg[] | null = null;
  /** Requests that waited for the main chunk, to run once it ended. */
  replay: Msg[] | null = null;
  /** The main chunk registered its handlers: requests run before it ends. */
  serving = false;
  ended = false;

  // ---- limits (limits.ts)
  /** The memory limit in estimated bytes (0: none): `mem_limit` at spawn, or `ltask.mem_limit`. */
  memLimit: number;
  /** When the current message began to run. */
  enteredAt = 0;
  /** When the next memory check may run, after a message and inside a handler (see `overLimit`). */
  memCheckAt = 0;
  memRunCheckAt = 0;
  /** When the last message ended (a limited service only). */
  leftAt = 0;
  /** The memory estimate (limits.ts): the last walk's figure, and what the service allocated since. */
  memWalked = 0;
  memGrown = 0;
  /** fengari's allocation counter when the service's allocations were last added to `memGrown`. */
  allocMark = 0;

  protected constructor(o: LuaServiceOptions) {
    super(o.address, o.label);
    this.sched = o.sched;
    this.sources = o.sources;
    this.runawayMs = o.runawayMs;
    this.memLimit = o.memLimit ?? 0;
  }

  /** Sends an answer (RESPONSE or ERROR) to a request's session. */
  abstract answer(dest: number, session: number, type: number, payload: Uint8Array): void;

  /** Requests still being answered (running, or parked in a coroutine) get `text` as their error. */
  abstract answerAll(text: string): void;

  /** `system traceback`: where each waiting coroutine stands. */
  abstract traceback(): string;

  /** The coroutines only the runtime holds (running, waiting, woken, blocked): roots of the memory walk. */
  runtimeThreads(): Set<LuaState> {
    const all = new Set<LuaState>();
    if (this.current) all.add(this.current.L);
    for (const w of this.waiting.values()) if (w !== ASYNC) all.add('start' in w ? w.start.L : w.L);
    for (const T of this.blockedIn.keys()) all.add(T);
    for (const { co } of this.wakeups) all.add(co.L);
    return all;
  }
}
