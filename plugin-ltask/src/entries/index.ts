/**
 * plugin-ltask: an ltask-like actor runtime for the web.
 * Lua services (fengari) and TypeScript services over a pool of workers.
 *
 * The door users go through: `startRuntime`, the `Runtime` it gives, the
 * errors and states it reports, and the contracts a service is written
 * against. The wire (message codes, codec) is behind `./internal`.
 */
export { startRuntime } from '../host/runtime.ts';
export type { Runtime, RuntimeOptions, LogEntry, RuntimeExit, CarrierInfo } from '../api/runtime.ts';
export { ServiceError } from '../wire/errors.ts';
export { ServiceState, stateName } from '../wire/protocol.ts';
export type { ServiceInfo } from '../wire/protocol.ts';
export type { SpawnOptions } from '../api/spawn.ts';
export type { ServiceContext, ServiceFactory, Handlers, ServiceOf } from '../api/service.ts';
export type { Remote } from '../wire/remote.ts';
export type { ServiceBundle, ServiceSource } from '../api/service-bundle.ts';
