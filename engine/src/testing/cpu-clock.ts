/**
 * CPU clocks for `FrameRecorder`: what a frame's `cpu` time is measured with.
 * Elapsed time (`performance.now()`) counts the time the thread was preempted:
 * on a machine busy with other work a frame of 2 ms measures 8 to 90 ms at
 * p99, and a baseline of it cannot hold. The thread's CPU time does not move
 * with the machine's load.
 */

/** A clock in milliseconds; `name` goes into the report's `environment.cpuClock`. */
export interface CpuClock {
  readonly name: string;
  now(): number;
}

/** Elapsed time: the default (`performance.now()`). */
export const wallClock: CpuClock = { name: 'wall', now: () => performance.now() };

/**
 * A wasm module of 84 bytes that imports WASI's `clock_time_get` and exports
 * it as `clock`, with a page of memory for the result.
 */
function clockModule(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type 0: (i32 clock id, i64 precision, i32 result address) -> i32 errno
    0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7e, 0x7f, 0x01, 0x7f,
    // import wasi_snapshot_preview1.clock_time_get: type 0
    0x02, 0x29, 0x01, ...name('wasi_snapshot_preview1'), ...name('clock_time_get'), 0x00, 0x00,
    // one page of memory
    0x05, 0x03, 0x01, 0x00, 0x01,
    // exports: memory, clock
    0x07, 0x12, 0x02, ...name('memory'), 0x02, 0x00, ...name('clock'), 0x00, 0x00,
  ]);
}

/** WASI's id of the calling thread's CPU-time clock (`CLOCK_THREAD_CPUTIME_ID`). */
const THREAD_CPUTIME = 3;

interface WasiModule {
  WASI: new (o: { version: 'preview1' }) => { getImportObject(): WebAssembly.Imports; initialize(i: WebAssembly.Instance): void };
}

/**
 * The calling thread's CPU time in Node (through WASI's `clock_time_get`:
 * `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, about 1.6 us a reading), or
 * `null` where there is none (browsers). Time the thread spends preempted by
 * other work, or waiting, is not counted.
 * @example
 * ```ts
 * const recorder = FrameRecorder.attach(app, { cpuClock: threadCpuClock() ?? undefined });
 * ```
 */
export function threadCpuClock(): CpuClock | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown; emitWarning: (...a: unknown[]) => void } }).process;
  if (!proc?.versions?.node || !proc.getBuiltinModule) return null;
  // Node prints an ExperimentalWarning when its WASI module loads; this clock uses one function of it.
  const emit = proc.emitWarning;
  proc.emitWarning = (w: unknown, ...rest: unknown[]) => {
    if (!/WASI/.test(String(w))) emit.call(proc, w, ...rest);
  };
  let instance: WebAssembly.Instance;
  try {
    const wasi = proc.getBuiltinModule('node:wasi') as WasiModule;
    const w = new wasi.WASI({ version: 'preview1' });
    instance = new WebAssembly.Instance(new WebAssembly.Module(clockModule()), w.getImportObject());
    w.initialize(instance);
  } catch {
    return null;
  } finally {
    proc.emitWarning = emit;
  }
  const exports = instance.exports as { memory: WebAssembly.Memory; clock: (id: number, precision: bigint, at: number) => number };
  const out = new BigUint64Array(exports.memory.buffer, 0, 1);
  if (exports.clock(THREAD_CPUTIME, 1n, 0) !== 0) return null;
  return {
    name: 'thread',
    now: () => {
      exports.clock(THREAD_CPUTIME, 1n, 0);
      return Number(out[0]!) / 1e6;
    },
  };
}
