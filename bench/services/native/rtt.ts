// Bench-only native module: times callbacks into Lua on the carrier itself.
import { asBytes, type NativeModule } from '@ltask-web/plugin-ltask/native';

const lengthOf = (v: unknown): number => (typeof v === 'string' ? v.length : asBytes(v).byteLength);

export default {
  name: 'bench_rtt',
  instances: { max: 1 },
  functions: {
    /** Calls `cb()` n times; each call timed with performance.now() here (us). Checks the answer's size. */
    roundtrips(n: number, size: number, cb: () => unknown): number[] {
      const t: number[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const a = performance.now();
        const v = cb();
        t[i] = (performance.now() - a) * 1000;
        if (lengthOf(v) !== size) throw new Error(`[bench_rtt] callback answered ${lengthOf(v)} bytes, expected ${size}`);
      }
      return t;
    },
    /** Reads `size` bytes of `path` in `chunk`-byte ranges through `cb(path, offset, length)`. */
    read(path: string, size: number, chunk: number, cb: (p: string, offset: number, length: number) => unknown) {
      const t0 = performance.now();
      let bytes = 0;
      for (let off = 0; off < size; off += chunk) {
        const len = Math.min(chunk, size - off);
        const b = asBytes(cb(path, off, len));
        if (b.byteLength !== len) throw new Error(`[bench_rtt] read ${b.byteLength} bytes at ${off}, expected ${len}`);
        bytes += len;
      }
      return { bytes, ms: performance.now() - t0 };
    },
    /** Nothing: the cost of a native call itself. */
    noop(): number {
      return 0;
    },
  },
} satisfies NativeModule;
