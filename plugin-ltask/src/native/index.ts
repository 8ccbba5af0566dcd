/** The native module contract and helpers for module authors. */
export { asBytes, asText } from './types.ts';
export type { NativeModule, NativeBundle, NativeSource } from './types.ts';
