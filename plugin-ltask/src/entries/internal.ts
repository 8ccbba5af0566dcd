/**
 * `@ltask-web/plugin-ltask/internal`: the wire, for tests and tools that speak
 * it. Not a stable API: message codes, receipts, fixed addresses and the codec
 * change with the runtime. Games use the root entry. `runtimeInternals` shows
 * what a runtime keeps off its API (the table, replacement and queue counts)
 * to the `ltask` runner, the soak and the tests.
 */
export { MessageType, Receipt, Address } from '../wire/protocol.ts';
export { encode, decode } from '../wire/codec/js.ts';
export { pushLua, encodeLua } from '../wire/codec/lua.ts';
export { CodecError } from '../wire/codec/format.ts';
export { checkIsolation } from '../platform/types.ts';
export { runtimeInternals } from '../host/internals.ts';
export type { RuntimeInternals, TableReader } from '../host/internals.ts';
