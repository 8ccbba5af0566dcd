/**
 * The entry of a carrier bundled with its native module: the ltask() vite
 * plugin generates `serveNative(module)` for each `?ltask-native` import.
 */
import { startCarrier } from '../carrier/carrier.ts';
import type { NativeModule } from '../api/native.ts';

/** Runs this worker as a carrier for `module`. */
export function serveNative(module: NativeModule): void {
  startCarrier(module);
}
