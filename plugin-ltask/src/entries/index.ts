/**
 * plugin-ltask: an ltask-like actor runtime for the web.
 * Lua services (fengari) and TypeScript services over a pool of workers.
 */
export { startRuntime, Runtime } from '../host/runtime.ts';
export type { RuntimeOptions, LogEntry, RuntimeExit } from '../host/runtime.ts';
export { ServiceError } from '../wire/errors.ts';
export { MessageType, Receipt, ServiceState, Address, stateName } from '../wire/protocol.ts';
export type { ServiceInfo } from '../wire/protocol.ts';
export type { SpawnOptions } from '../api/spawn.ts';
export type { ServiceContext, ServiceFactory, Handlers } from '../api/service.ts';
export { encode, decode } from '../wire/codec/js.ts';
export { CodecError } from '../wire/codec/format.ts';
export { checkIsolation } from '../platform/types.ts';
