/**
 * plugin-ltask: an ltask-like actor runtime for the web.
 * Lua services (fengari) and TypeScript services over a pool of workers.
 */
export { startRuntime, Runtime } from './host/runtime.ts';
export type { RuntimeOptions, LogEntry, RuntimeExit } from './host/runtime.ts';
export { ServiceError } from './errors.ts';
export { MessageType, Receipt, ServiceState, Address, stateName } from './protocol.ts';
export type { ServiceInfo } from './protocol.ts';
export type { SpawnOptions } from './services/root.ts';
export type { ServiceContext, ServiceFactory, Handlers } from './worker/ts-service.ts';
export { encode, decode } from './codec/js.ts';
export { CodecError } from './codec/format.ts';
export { checkIsolation } from './platform/types.ts';
