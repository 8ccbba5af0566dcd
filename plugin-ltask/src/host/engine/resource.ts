/**
 * `Ltask`: the runtime as an App resource, and the reply kinds its requests
 * answer through.
 *
 * The resource exists from the plugin's `build()`, while the workers still
 * start, so systems never wait for it: requests made while `starting` are
 * queued and go out once the runtime is `ready` (or fail with the start-up
 * error when it is `unavailable`). A system's request is answered on a later
 * frame as an event of a kind the caller defined with {@link defineReply}, with
 * the context the caller gave: each system reads only its own replies, and the
 * context it gets back is typed, never recovered from a string.
 * @module
 */
import { defineEvent, type EventKey } from '@ltask-web/engine';
import type { Runtime } from '../../api/runtime.ts';
import { Address } from '../../wire/protocol.ts';
import { remote, type Remote } from '../../wire/remote.ts';

/** A reply (or failure) of `Ltask.request`, delivered as an event of its kind. */
export interface LtaskReply<C = unknown> {
  /** What `request` returned. */
  readonly id: number;
  /** What the caller gave to `request`, as given. */
  readonly context: C;
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

/**
 * A kind of reply: the event its replies arrive as (add it with
 * `app.addEvent`), typed by the context its requests carry.
 */
export type ReplyKey<C = void> = EventKey<LtaskReply<C>>;

/**
 * Defines a kind of reply, with the type of context its requests carry
 * (`void`: none).
 * @example
 * ```ts
 * const ChunkReply = defineReply<{ cx: number; cz: number }>('ChunkReply');
 * app.addEvent(ChunkReply);
 * // in systems:
 * lt.request(ChunkReply, 'levels', 'chunk', [cx, cz], { cx, cz });
 * for (const e of read(ChunkReply)) if (e.ok) build(e.context.cx, e.context.cz, e.values[0]);
 * ```
 */
export function defineReply<C = void>(name: string): ReplyKey<C> {
  return defineEvent<LtaskReply<C>>(name);
}

/** The context argument of `Ltask.request`: required unless the kind carries none. */
export type ReplyContextArg<C> = [C] extends [void] ? [] : [context: C];

/** A reply waiting to be sent as an event of its kind (what `Ltask.drain` returns). */
export interface LtaskDelivery {
  readonly kind: ReplyKey<unknown>;
  readonly reply: LtaskReply<unknown>;
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

/** What `Ltask` needs of the App it lives in; the plugin passes it at construction. */
export interface LtaskAppPort {
  /** The App's frame counter: a reply's `sentFrame`. */
  frame(): number;
  /** Throws when replies of this kind could not be delivered (its event is not in the App). */
  checkReply(kind: ReplyKey<unknown>): void;
  /**
   * The runtime while it starts, once launched (null before): requests made
   * then go out at once and are answered as soon as their service is up,
   * instead of waiting for the whole start. It fails them with the start-up error.
   */
  starting?(): Runtime | null;
}

/** The error of an answer that came while the runtime started, after `stop()`. */
const STOPPED_WHILE_STARTING = () => new Error('[ltask] the runtime has stopped: it was stopped while it started');

/** Outside an App: frame 0, and any kind is accepted (replies wait in `drain()`). */
const NO_APP: LtaskAppPort = { frame: () => 0, checkReply: () => {} };

/**
 * The runtime as an App resource: the `Runtime`, plus requests that reply
 * through events. It exists from the moment the plugin is added, while the
 * workers are still starting: `request`, `service`, `call`, `send` and calls
 * through `remote` made then are queued and go out once the runtime is ready (or fail with the
 * start-up error when it is `unavailable`). `runtime` itself is there only once
 * `status` is `ready`; `whenReady()` waits for it.
 */
export class Ltask {
  /** Marks of the start (see {@link LtaskTimings}). */
  readonly timings: LtaskTimings = { start: 0, ready: 0, firstReply: 0 };
  private readonly app: LtaskAppPort;
  private readonly started: Promise<Runtime>;
  private readonly inbox: LtaskDelivery[] = [];
  private readonly names = new Map<string, Promise<number>>();
  /** The addresses of the names in `names` that have resolved. */
  private readonly known = new Map<string, number>();
  private nextId = 1;
  private pendingCount = 0;
  private stopping: Promise<void> | null = null;
  private rt: Runtime | null = null;
  private currentStatus: LtaskStatus = 'starting';
  private startError: Error | null = null;

  /**
   * @param runtime a started runtime, or the promise of one (the resource is
   *   `starting` until it settles)
   * @param app the App's frame counter and events (none: frame 0, replies only through `drain()`)
   */
  constructor(runtime: Runtime | PromiseLike<Runtime>, app: LtaskAppPort = NO_APP) {
    this.app = app;
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

  /** Where requests go now: the runtime once ready, else the starting one (none when the start failed or is not launched yet). */
  private get sender(): Runtime | null {
    if (this.rt) return this.rt;
    if (this.startError) return null;
    return this.app.starting?.() ?? null;
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
    return this.afterStart(this.resolve(name, args));
  }

  /** The address of `name`, asked once (see `service`); the promise is settled as it arrives. */
  private resolve(name: string, args: readonly unknown[]): Promise<number> {
    let p = this.names.get(name);
    if (!p) {
      const rt = this.sender;
      const asked = rt ? rt.uniqueService(name, ...args) : this.started.then((r) => r.uniqueService(name, ...args));
      const q: Promise<number> = asked.then(
        (addr) => {
          if (this.names.get(name) === q) this.known.set(name, addr);
          return addr;
        },
        (e: unknown) => {
          if (this.names.get(name) === q) this.names.delete(name); // a failed spawn may be retried
          throw e;
        },
      );
      q.catch(() => {});
      this.names.set(name, q);
      p = q;
    }
    return p;
  }

  /**
   * Calls `method` on a service (address or name) and resolves with its first
   * result; waits for the runtime when it is starting. For code outside systems.
   */
  async call(target: number | string, method: string, ...args: unknown[]): Promise<unknown> {
    return (await this.afterStart(this.callMulti(target, method, args)))[0];
  }

  /**
   * `p`, settled no earlier than the start: an answer that came while the
   * runtime still starts (its service was up before io) waits for `ready`,
   * so that code that goes on from it finds the runtime up (`runtime`, `status`).
   */
  private afterStart<T>(p: Promise<T>): Promise<T> {
    if (this.currentStatus !== 'starting') return p;
    const settled = this.started.then(() => {}, () => {});
    return Promise.allSettled([p, settled]).then(([r]) => {
      if (r.status === 'rejected') throw r.reason;
      if (this.stopping) throw STOPPED_WHILE_STARTING();
      return r.value;
    });
  }

  /**
   * Every value `method` returns. A name not resolved yet is called through
   * root (`unique_call`), which starts the service if needed and passes the
   * call on: no turn of this thread between the name and the call.
   */
  private async callMulti(target: number | string, method: string, args: readonly unknown[]): Promise<unknown[]> {
    const rt = this.sender ?? (await this.started);
    if (typeof target === 'number') return rt.callMulti(target, method, ...args);
    const addr = this.known.get(target);
    if (addr !== undefined) return rt.callMulti(addr, method, ...args);
    void this.resolve(target, []); // as before: the name is resolved once and remembered
    return (await rt.call<unknown[]>(Address.ROOT, 'unique_call', target, method, ...args)) ?? [];
  }

  /**
   * A typed proxy for a service (address or name), like `Runtime.remote`:
   * `await lt.remote<Score>('score').add(1)` is `lt.call('score', 'add', 1)`.
   * Usable at once: while the runtime starts, calls wait for it; a name is
   * resolved as `service(name)` does (spawned once as a unique service) on
   * the first call. For code outside systems, as `call`; a system uses
   * `request`, which never awaits.
   */
  remote<T>(target: number | string): Remote<T> {
    return remote<T>((method, ...args) => this.call(target, method, ...args));
  }

  /**
   * Calls `method` on a service and returns at once; the reply arrives as an
   * event of kind `reply`, in `First` of a later frame, carrying `context`.
   * `target`: an address, or a service name (see `service`). Made while the
   * runtime is starting, the request is sent once it is ready; when it is
   * `unavailable` the reply has `ok: false` and the start-up error.
   * Throws at once when `reply`'s event is not in the App.
   */
  request<C>(reply: ReplyKey<C>, target: number | string, method: string, args: readonly unknown[] = [], ...context: ReplyContextArg<C>): number {
    this.app.checkReply(reply);
    const id = this.nextId++;
    const t0 = performance.now();
    const sentFrame = this.app.frame();
    const ctx = context[0] as C;
    this.pendingCount++;
    let address = typeof target === 'number' ? target : 0;
    const deliver = (ok: boolean, values: unknown[], error?: Error) => {
      this.pendingCount--;
      const now = performance.now();
      if (ok && this.timings.firstReply === 0) this.timings.firstReply = now;
      const value: LtaskReply<C> = { id, context: ctx, target, address, method, ok, values, error, ms: now - t0, sentFrame };
      this.inbox.push({ kind: reply, reply: value });
    };
    // A reply that came while the runtime still starts (its service was up
    // before io) is delivered once the start has settled: replies never come before `ready`.
    const done = (ok: boolean, values: unknown[], error?: Error) => {
      if (this.currentStatus !== 'starting') return deliver(ok, values, error);
      // Stopped (the App exited) while it started: what was asked then fails, as when it waited for the start.
      const later = () => (this.stopping && ok ? deliver(false, [], STOPPED_WHILE_STARTING()) : deliver(ok, values, error));
      this.started.then(later, later);
    };
    if (typeof target === 'string') {
      // The name is resolved once and remembered; the reply carries its address.
      this.resolve(target, []).then((a) => (address = a), () => {});
    }
    this.callMulti(target, method, args).then(
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
    const rt = this.sender;
    if (rt) return rt.send(address, method, ...args);
    if (this.startError) return false;
    this.started.then((rt) => rt.send(address, method, ...args), () => {});
    return true;
  }

  /** Requests sent and not answered yet (queued ones included). */
  get pending(): number {
    return this.pendingCount;
  }

  /**
   * Replies that arrived since the last call, each with its kind. The plugin
   * sends them as events in `First`; outside an App, read them here.
   */
  drain(): LtaskDelivery[] {
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
}
