/** The native module contract and helpers for module authors. */
export { asBytes, asText } from '../wire/codec/bytes.ts';
export type { NativeModule, NativeBundle, NativeSource } from '../api/native.ts';
