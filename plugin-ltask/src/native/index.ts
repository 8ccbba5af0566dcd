/** The native module contract and helpers for module authors. */
export { asBytes, asText } from './types.ts';
export type { NativeModule } from './types.ts';
