/**
 * The machine's own scheduling delay, measured in the same run as a timing
 * gate: a timer on a thread of its own (a Web Worker, a Node worker thread)
 * that neither the main thread nor the runtime's workers share, so a loader
 * that blocks either cannot move it; only a machine busy with other work can.
 * A gate adds what it saw to its limit (and says so), instead of a slack
 * chosen once for every machine.
 */

/** What a probe saw: how late its timer fired, in ms. */
export interface DelayStats {
  /** Timer firings. */
  count: number;
  /** The latest firing's lateness. */
  max: number;
  /** The 99th percentile lateness (nearest rank). */
  p99: number;
}

/** A running probe. */
export interface DelayProbe {
  /** Stops the probe and answers what it saw since it started. */
  stop(): Promise<DelayStats>;
}

/** The probe's thread: a timer every `period` ms, the lateness of each firing kept until asked. */
const PROBE = (period: number) => `
let late = [], stopped = false, due = performance.now() + ${period};
const tick = () => {
  if (stopped) return;
  const now = performance.now();
  late.push(Math.max(0, now - due));
  due = now + ${period};
  setTimeout(tick, ${period});
};
setTimeout(tick, ${period});
const answer = (post) => (m) => { stopped = true; post(late); };
if (typeof self !== 'undefined' && typeof self.postMessage === 'function') self.onmessage = answer((v) => self.postMessage(v));
else { const { parentPort } = process.getBuiltinModule('node:worker_threads'); parentPort.once('message', answer((v) => parentPort.postMessage(v))); }
`;

function stats(late: number[]): DelayStats {
  const s = [...late].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
  return { count: s.length, max: s[s.length - 1] ?? 0, p99: rank(99) };
}

interface NodeWorker {
  once(ev: 'message', f: (v: number[]) => void): void;
  once(ev: 'error', f: (e: Error) => void): void;
  postMessage(v: unknown): void;
  terminate(): Promise<number>;
}

/**
 * Starts a scheduling-delay probe: a thread whose timer fires every
 * `periodMs` (default 5) and records how late. Works in a page (a Web Worker
 * from a blob URL) and in Node (a worker thread).
 * @example
 * ```ts
 * const probe = startDelayProbe();
 * // ... the measured window ...
 * const delay = await probe.stop();
 * expect(report).toMeetFrameBudget({ maxGap: 0.8 * L + delay.max });
 * ```
 */
export function startDelayProbe(periodMs = 5): DelayProbe {
  const code = PROBE(periodMs);
  const wt = typeof Worker === 'undefined'
    ? ((globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:worker_threads') as
        | { Worker: new (code: string, o: { eval: true }) => NodeWorker }
        | undefined)
    : undefined;
  if (wt) {
    const w = new wt.Worker(code, { eval: true });
    return {
      stop: () =>
        new Promise<DelayStats>((resolve, reject) => {
          w.once('message', (late) => void w.terminate().then(() => resolve(stats(late))));
          w.once('error', reject);
          w.postMessage('stop');
        }),
    };
  }
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const w = new Worker(url);
  return {
    stop: () =>
      new Promise<DelayStats>((resolve, reject) => {
        w.onmessage = (e: MessageEvent<number[]>) => {
          w.terminate();
          URL.revokeObjectURL(url);
          resolve(stats(e.data));
        };
        w.onerror = (e) => reject(new Error(`[testing] delay probe: ${e.message}`));
        w.postMessage('stop');
      }),
  };
}
