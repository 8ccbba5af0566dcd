/**
 * `@ltask-web/plugin-ltask/testing`: scenarios for frame-timing tests of a
 * game that runs services. Start N Lua "NPC" services that tick at a rate and
 * record their tick gaps, one watch ticker on every worker, and N loaders that
 * sit in a native call whose synchronous read callback waits on the io service
 * (give the runtime `io: { latencyMs }` to make each read slow). The loaders
 * run on the NPCs' worker and beside it (`placement`), so a loader that
 * blocked its own worker would show in the NPCs' gaps or in the watch
 * ticker's. With `blocking: 'inline'` the same library runs inline in a
 * TypeScript loader service on that worker (no carrier), each read a
 * synchronous read that waits the latency there: the regression the gates
 * must catch. Pair it with `FrameRecorder` from `@ltask-web/engine/testing`.
 *
 * @example
 * ```ts
 * const rt = await startRuntime({ workers: 2, io: { backend: 'fs', root: 'assets', latencyMs: 300 }, natives: probeNatives(), sources: SCENARIO_SOURCES });
 * const s = await startScenario(rt, { tickers: 50, hz: 10, loaders: 8, paths: ['a.bin', 'b.bin'] });
 * await s.gaps();                   // forget the start-up
 * await s.load();                   // 8 loads at once (4 on the NPCs' worker, 4 beside), each read waits 300 ms on io
 * const series = await s.stopAll(); // { npc: every NPC's tick gaps (ms), 'worker 0': ..., 'worker 1': ... }
 * ```
 */
import type { Runtime } from '../../api/runtime.ts';
import type { NativeSource } from '../../api/native.ts';
import type { ServiceSource } from '../../api/service-bundle.ts';

/** The name the inline loader service (`@ltask-web/plugin-ltask/testing/inline`) is registered under. */
export const INLINE_LOADER = 'ltask-inline-loader';

/** The probe native module's name (`ltask.native "ltask-probe"`). */
export const PROBE_NATIVE = 'ltask-probe';

/** `.ts` when this module runs from the sources, `.js` from dist/. */
const ext = () => (import.meta.url.endsWith('.ts') ? '.ts' : '.js');

/**
 * `natives` entries for the probe in Node (the module's path next to this
 * file). In the browser, import it with `?ltask-native` instead (see probe.ts).
 */
export function probeNatives(): Record<string, NativeSource> {
  return { [PROBE_NATIVE]: new URL(`../../carrier/probe${ext()}`, import.meta.url).href };
}

/**
 * `services` entries for the inline loader in Node (`blocking: 'inline'`). In
 * the browser: `import inline from '@ltask-web/plugin-ltask/testing/inline?ltask-service'`
 * and `services: { [INLINE_LOADER]: inline }`.
 */
export function scenarioServices(): Record<string, ServiceSource> {
  return { [INLINE_LOADER]: new URL(`../../entries/testing-inline${ext()}`, import.meta.url).href };
}

/**
 * An NPC service: a gameplay tick at `hz` (a little steering maths per tick),
 * recording the gap between ticks in milliseconds.
 */
export const TICKER_SOURCE = `
local ltask = require "ltask"
local hz = ...
local period = 100 / (hz or 10)  -- centiseconds
local S = {}
local gaps, running = {}, true
local x, y, vx, vy = 0, 0, 1, 0
ltask.fork(function()
  local last = ltask.counter()
  while running do
    ltask.sleep(period)
    local now = ltask.counter()
    gaps[#gaps + 1] = (now - last) * 1000
    last = now
    local a = now * 0.7
    vx, vy = vx * 0.9 + math.cos(a) * 0.1, vy * 0.9 + math.sin(a) * 0.1
    x, y = x + vx, y + vy
  end
end)
function S.gaps() local g = gaps; gaps = {}; return g end
function S.stop() running = false; local g = gaps; gaps = {}; return g end
function S.where() return x, y end
return S
`;

/**
 * A loader service. `load(paths)`: the probe reads every path through a
 * synchronous callback that calls the io service (the runtime's way); it
 * answers `{ bytes, ms, worker }` as a sequence.
 */
export const LOADER_SOURCE = `
local ltask = require "ltask"
local io = ltask.queryservice "io"
local S = {}
function S.load(paths)
  local t0 = ltask.counter()
  local probe = ltask.native "${PROBE_NATIVE}"
  local bytes = probe.load(paths, { read = function(p) return ltask.call(io, "read", p) end })
  return { bytes, (ltask.counter() - t0) * 1000, ltask.worker_id() }
end
return S
`;

/** `sources` entries for the two Lua services (`service/ltask-ticker.lua`, `service/ltask-loader.lua`). */
export const SCENARIO_SOURCES: Record<string, string> = {
  'service/ltask-ticker.lua': TICKER_SOURCE,
  'service/ltask-loader.lua': LOADER_SOURCE,
};

/**
 * Where the loaders run. `'with'`: on the NPCs' worker; `'beside'`: on
 * another worker; `'both'`: half and half (odd loaders beside); `'root'`:
 * where root places them.
 */
export type LoaderPlacement = 'with' | 'beside' | 'both' | 'root';

/** Options of {@link startScenario}. */
export interface ScenarioOptions {
  /** NPC services ticking (default 0). */
  tickers?: number;
  /** Their tick rate in Hz (default 10). */
  hz?: number;
  /** Pin the tickers to this worker (default: the last worker). */
  tickerWorker?: number;
  /** Loaders started at once (default 0). */
  loaders?: number;
  /** Where the loaders run (default `'both'`; one worker: all on it). */
  placement?: LoaderPlacement;
  /** What each loader reads through io (default: none). */
  paths?: string[];
  /**
   * `'none'` (default): Lua loaders wait in native calls on carriers, as designed.
   * `'inline'`: the same library runs inline in a TypeScript loader service
   * ({@link INLINE_LOADER}, registered through `services`) on the loader's
   * worker, each read a synchronous read under `root` that waits `blockMs`
   * there: every service on that worker waits with it.
   */
  blocking?: 'none' | 'inline';
  /** Where the inline loader's synchronous reads find the files (the io root: a directory in Node, a base URL in a page). */
  root?: string;
  /** Milliseconds each inline read waits (default: the io service's latency). */
  blockMs?: number;
  /** One ticker at `hz` on every worker, series `worker <n>` (default true): it sees a worker blocked, whatever runs there. */
  watch?: boolean;
}

/** A load's outcome: bytes the library read, milliseconds it took, the worker it ran on. */
export type ScenarioLoad = [bytes: number, ms: number, worker: number];

/** A running scenario. */
export interface Scenario {
  /** Addresses of the tickers, loaders and watch tickers. */
  readonly tickers: number[];
  readonly loaders: number[];
  readonly watchers: number[];
  /** The worker of the tickers, and of each loader (in `loaders` order). */
  readonly tickerWorker: number;
  readonly loaderWorkers: number[];
  /** Starts every loader at once; settles when all have finished. */
  load(): Promise<ScenarioLoad[]>;
  /** Tick gaps (ms) of every NPC since the last collection, as one series (the watch tickers' are dropped too). */
  gaps(): Promise<number[]>;
  /** Stops every ticker and returns the NPCs' last gaps. */
  stop(): Promise<number[]>;
  /** Stops every ticker and returns each series: `npc`, and `worker <n>` for the watch tickers. */
  stopAll(): Promise<Record<string, number[]>>;
}

/** The worker of loader `i` under `placement`: the tickers' one or another. */
function loaderWorker(placement: LoaderPlacement, i: number, tickerWorker: number, workers: number): number | undefined {
  const beside = workers > 1 ? (tickerWorker === 0 ? 1 : 0) : tickerWorker;
  switch (placement) {
    case 'root':
      return undefined;
    case 'with':
      return tickerWorker;
    case 'beside':
      return beside;
    default:
      return i % 2 === 0 ? tickerWorker : beside;
  }
}

/**
 * `f(0)` .. `f(n - 1)`, up to 64 at once, results in order. A page's main thread
 * that draws heavy frames answers one host step a frame: 500 spawns one after
 * another took 30-57 s there.
 */
async function inBatches<T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += 64) out.push(...(await Promise.all(Array.from({ length: Math.min(64, n - i) }, (_, k) => f(i + k)))));
  return out;
}

/**
 * Spawns tickers (ticking at once), one watch ticker per worker and loaders
 * (idle until `load()`) on a runtime that has {@link SCENARIO_SOURCES} among
 * its `sources` and the probe among its `natives` ({@link probeNatives});
 * with `blocking: 'inline'`, the inline loader among its `services`
 * ({@link scenarioServices}).
 */
export async function startScenario(rt: Runtime, o: ScenarioOptions = {}): Promise<Scenario> {
  const hz = o.hz ?? 10;
  const workers = rt.workerCount;
  const tickerWorker = o.tickerWorker ?? workers - 1;
  const tickers = await inBatches(o.tickers ?? 0, (i) => rt.spawnService({ name: 'ltask-ticker', args: [hz], label: `npc-${i + 1}`, worker_id: tickerWorker }));
  const watchers: number[] = [];
  if (o.watch ?? true) {
    for (let w = 0; w < workers; w++) watchers.push(await rt.spawnService({ name: 'ltask-ticker', args: [hz], label: `watch-${w}`, worker_id: w }));
  }
  const inline = o.blocking === 'inline';
  if (inline && o.root === undefined) throw new Error('[testing] startScenario: blocking "inline" needs `root` (where its synchronous reads find the files)');
  const loaders: number[] = [];
  const placement = o.placement ?? 'both';
  for (let i = 0; i < (o.loaders ?? 0); i++) {
    const worker_id = loaderWorker(placement, i, tickerWorker, workers);
    const label = `loader-${i + 1}`;
    loaders.push(
      inline
        ? await rt.spawnService({ name: INLINE_LOADER, args: [o.root, o.blockMs], label, worker_id })
        : await rt.spawnService({ name: 'ltask-loader', label, worker_id }),
    );
  }
  const where = new Map((await rt.inspect()).map((s) => [s.address, s.worker]));
  const loaderWorkers = loaders.map((a) => where.get(a) ?? -1);
  const paths = o.paths ?? [];
  const load = () =>
    Promise.all(loaders.map(async (a): Promise<ScenarioLoad> => {
      const [bytes, ms, worker] = asArray(await rt.call<number[] | Record<string, number>>(a, 'load', paths));
      return [Number(bytes), Number(ms), Number(worker)];
    }));
  const collect = async (list: number[], method: 'gaps' | 'stop') => (await Promise.all(list.map((a) => rt.call<number[] | Record<string, number>>(a, method)))).map(asArray);
  const stopAll = async () => {
    const [npc, watch] = await Promise.all([collect(tickers, 'stop'), collect(watchers, 'stop')]);
    const out: Record<string, number[]> = { npc: npc.flat() };
    watch.forEach((g, w) => (out[`worker ${w}`] = g));
    return out;
  };
  return {
    tickers,
    loaders,
    watchers,
    tickerWorker,
    loaderWorkers,
    load,
    gaps: async () => (await Promise.all([collect(tickers, 'gaps'), collect(watchers, 'gaps')]))[0].flat(),
    stop: async () => (await stopAll()).npc!,
    stopAll,
  };
}

/** A Lua sequence arrives as an array; an empty table as an empty object. */
const asArray = (v: number[] | Record<string, number> | null | undefined): number[] => (Array.isArray(v) ? v : v ? Object.values(v) : []);
