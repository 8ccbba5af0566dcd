/**
 * Typed calls: a service's handlers seen from a caller, as comlink's
 * `Remote<T>` sees a worker's object. `Remote<T>` turns each method of `T` into
 * one that returns a promise of its result; {@link remote} builds the object
 * over any `call(name, ...args)` (the Runtime's, a TypeScript service's
 * context, the engine's `Ltask`), so a typed call costs what an untyped one does.
 */

/**
 * A function type with any arguments. `any[]`, not `unknown[]`: a handler
 * `(n: number) => number` must match, and `unknown` arguments would refuse it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/**
 * The names of `T`'s methods a proxy can call: string keys whose value is a
 * function. `then` is left out: a proxy with a `then` would be taken for a
 * promise by `await`.
 */
export type RemoteMethods<T> = {
  [K in keyof T & string]: K extends 'then' ? never : T[K] extends AnyFunction ? K : never;
}[keyof T & string];

/**
 * A service's handlers `T` as a caller sees them: each method takes the same
 * arguments and returns a promise of its (first) result, as `call` resolves.
 * A failure rejects with `ServiceError`, as `call` does.
 * @example
 * ```ts
 * interface Score { add(n: number): number; name(): Promise<string> }
 * const score: Remote<Score> = rt.remote<Score>(addr);
 * const total: number = await score.add(1);
 * ```
 */
export type Remote<T> = {
  readonly [K in RemoteMethods<T>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** What a proxy calls: `name` on its service with `args`, resolving to the first result. */
export type RemoteCall = (name: string, ...args: unknown[]) => Promise<unknown>;

/**
 * Builds a `Remote<T>` over `call`. `proxy.name(...args)` is `call('name',
 * ...args)`; each name's function is made once and kept, so a method read
 * twice is the same function and may be passed around unbound. `then` and
 * symbol keys read as undefined, so awaiting a proxy (or returning it from an
 * async function) gives the proxy, not a request; setting a property throws.
 * Any other name is a method: whether the service has it is known only when
 * it answers (an unknown request rejects, as with `call`).
 */
export function remote<T>(call: RemoteCall): Remote<T> {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const target = Object.create(null) as object;
  return new Proxy(target, {
    get(_, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      let m = methods.get(name);
      if (!m) {
        m = (...args: unknown[]) => call(name, ...args);
        methods.set(name, m);
      }
      return m;
    },
    set: () => false,
    defineProperty: () => false,
  }) as Remote<T>;
}
