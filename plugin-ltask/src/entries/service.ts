/**
 * `@ltask-web/plugin-ltask/service`: what a TypeScript service module imports.
 * It is bundled into a worker, so this door reaches no host code (the host
 * starts workers with `new Worker(new URL(...))`, which a worker bundle
 * refuses): `defineService`, `ServiceError` (what a failed `ctx.call` rejects
 * with, to test with `instanceof`) and the service contract's types.
 * @example
 * ```ts
 * // score.ts
 * import { defineService, type ServiceOf } from '@ltask-web/plugin-ltask/service';
 * const score = defineService((ctx) => {
 *   let total = 0;
 *   return {
 *     add: (n: number) => (total += n),
 *     async name() { return ctx.label; },
 *   };
 * });
 * export default score;
 * export type Score = ServiceOf<typeof score>;
 * // a caller: const s = rt.remote<Score>(addr); const n: number = await s.add(1);
 * ```
 */
import type { Handlers, ServiceContext } from '../api/service.ts';

export type { Handlers, ServiceContext, ServiceFactory, ServiceOf } from '../api/service.ts';
export type { Remote } from '../wire/remote.ts';
export type { Fields, ServiceWorld, WorldComponents, WorldOf, WorldTime } from '../api/world.ts';
export { ServiceError } from '../wire/errors.ts';

/**
 * Declares a service: returns `factory` as it is (no cost at run time), typed
 * so that `ctx` is a `ServiceContext` and the handlers keep their argument and
 * result types, for `ServiceOf<typeof factory>` and typed callers
 * (`rt.remote`, `ctx.remote`, `Ltask.remote`). The factory may take spawn
 * arguments after `ctx`, and may be async.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineService<F extends (ctx: ServiceContext, ...args: any[]) => Handlers | void | Promise<Handlers | void>>(factory: F): F {
  return factory;
}
