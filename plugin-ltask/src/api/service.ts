/**
 * The contract of a TypeScript service: the factory a service module exports
 * and the context it gets. Types only: services, the worker that runs them and
 * users' own service modules all compile against this one file.
 */
import type { ServiceWorld, WorldComponents } from './world.ts';
import type { Remote } from '../wire/remote.ts';

/** Request handlers of a TypeScript service: `call(addr, "name", ...)` runs `handlers.name(...)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handlers = Record<string, (...args: any[]) => unknown>;

/**
 * What a TypeScript service gets: ltask's API, awaitable.
 * @example
 * ```ts
 * export default ((ctx) => ({
 *   async hello(name: string) { await ctx.sleep(1); return `hello ${name}`; },
 * })) satisfies ServiceFactory;
 * ```
 */
export interface ServiceContext<W extends WorldComponents = WorldComponents> {
  readonly self: number;
  readonly label: string;
  readonly workerId: number;
  /** Calls `name` on `addr`; resolves to its first result. */
  call<T = unknown>(addr: number, name: string, ...args: unknown[]): Promise<T>;
  /**
   * A typed proxy for the service at `addr`: `await ctx.remote<Score>(addr).add(1)`
   * is `ctx.call(addr, 'add', 1)`, with the arguments and the result checked by
   * tsc. `T`: a TS service's handlers (`ServiceOf<typeof score>`) or an
   * interface written for a Lua service. Make it once and keep it.
   */
  remote<T>(addr: number): Remote<T>;
  /** Calls `name` on `addr`; resolves to all of its results. */
  callMulti(addr: number, name: string, ...args: unknown[]): Promise<unknown[]>;
  /** Sends without waiting; false when the destination is dead. Throws when it is busy. */
  send(addr: number, name: string, ...args: unknown[]): boolean;
  spawn(name: string, ...args: unknown[]): Promise<number>;
  uniqueService(name: string, ...args: unknown[]): Promise<number>;
  queryService(name: string): Promise<number>;
  /** Sleeps `cs` centiseconds (ltask's unit). */
  sleep(cs: number): Promise<void>;
  readonly log: { info(...a: unknown[]): void; error(...a: unknown[]): void };
  /**
   * A native module's functions, awaitable. Function arguments become
   * synchronous callbacks for the library (they may be async here: the
   * carrier waits for their promise).
   */
  native(name: string): Record<string, (...args: unknown[]) => Promise<unknown>>;
  /**
   * The App's world (LtaskPlugin's `world` option): read as of the last
   * completed frame, written through this service's command buffer, ticked on
   * the App's clock. Throws when the runtime shares no world. Typed by the
   * App's components when the factory takes `ctx: ServiceContext<WorldOf<typeof shared>>`.
   */
  readonly world: ServiceWorld<W>;
  /** Ends the service. */
  quit(): void;
}

/** A TypeScript service module's default export. Returning nothing quits the service. */
export type ServiceFactory = (ctx: ServiceContext, ...args: unknown[]) => Handlers | void | Promise<Handlers | void>;

/**
 * The handlers a service factory returns, for typed callers:
 * `Remote<ServiceOf<typeof score>>` is what `rt.remote(addr)` gives for a
 * service module whose default export is `score`.
 * @example
 * ```ts
 * // score.ts
 * import { defineService, type ServiceOf } from '@ltask-web/plugin-ltask/service';
 * const score = defineService((ctx) => {
 *   let total = 0;
 *   return { add: (n: number) => (total += n) };
 * });
 * export default score;
 * export type Score = ServiceOf<typeof score>;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServiceOf<F extends (...args: any[]) => unknown> = Exclude<Awaited<ReturnType<F>>, void | undefined>;
