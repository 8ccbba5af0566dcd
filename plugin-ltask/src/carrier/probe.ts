/**
 * `ltask-probe`: a tiny native module for frame-timing tests. `load(paths, cb)`
 * reads every path through the synchronous callback `cb.read(path)` (a Lua
 * function that asks the io service) and returns the total byte count: a
 * loader whose interface is a synchronous read, like a wasm decoder's.
 *
 * In the browser: `import probe from '@ltask-web/plugin-ltask/testing/probe?ltask-native'`
 * and `natives: { [PROBE_NATIVE]: probe }`. In Node: `natives: probeNatives()`
 * (from `@ltask-web/plugin-ltask/testing`).
 */
import type { NativeModule } from '../api/native.ts';

const utf8 = new TextEncoder();

export default {
  name: 'ltask-probe',
  instances: { max: 32 },
  functions: {
    load(paths: string[], cb: { read(path: string): unknown }): number {
      let bytes = 0;
      for (const p of paths) {
        const v = cb.read(p);
        bytes += typeof v === 'string' ? utf8.encode(v).length : v instanceof Uint8Array ? v.length : 0;
      }
      return bytes;
    },
  },
} satisfies NativeModule;
