/** The payload codec: one binary format for Lua and JS values. */
export { encode, decode } from './js.ts';
export { encodeLua, pushLua } from './lua.ts';
export { CodecError, DEFAULT_MAX_BYTES, MAX_DEPTH } from './format.ts';
