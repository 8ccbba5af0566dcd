/**
 * `@ltask-web/plugin-ltask/testing`: scenarios for frame-timing tests of a
 * game that runs services. Start N Lua "NPC" services that tick at a rate and
 * record their tick gaps, and N loaders that sit in a native call whose
 * synchronous read callback waits on the io service (give the runtime
 * `io: { latencyMs }` to make each read slow). With `blocking: 'worker'` the
 * loaders instead wait inside the Lua VM on the tickers' worker, the way a
 * synchronous library would if it ran on the service's own thread: a
 * regression the gates must catch. Pair it with `FrameRecorder` from
 * `@ltask-web/engine/testing`.
 *
 * @example
 * ```ts
 * const rt = await startRuntime({ workers: 2, io: { backend: 'fs', root: 'assets', latencyMs: 300 }, natives: probeNatives() });
 * const s = await startScenario(rt, { tickers: 50, hz: 10, loaders: 8, paths: ['a.bin', 'b.bin'] });
 * await s.gaps();                   // forget the start-up
 * await s.load();                   // 8 loads at once, each read waits 300 ms on io
 * const gaps = await s.stop();      // every NPC's tick gaps (ms), one series
 * ```
 */
import type { Runtime } from '../../api/runtime.ts';
import type { NativeSource } from '../../api/native.ts';

/** The probe native module's name (`ltask.native "ltask-probe"`). */
export const PROBE_NATIVE = 'ltask-probe';

/**
 * `natives` entries for the probe in Node (the module's path next to this
 * file). In the browser, import it with `?ltask-native` instead (see probe.ts).
 */
export function probeNatives(): Record<string, NativeSource> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return { [PROBE_NATIVE]: new URL(`../../carrier/probe${ext}`, import.meta.url).href };
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
 * synchronous callback that calls the io service (the runtime's way).
 * `block(n, ms)`: the regression to catch, a synchronous read that waits `ms`
 * on this service's own worker, `n` times.
 */
export const LOADER_SOURCE = `
local ltask = require "ltask"
local io = ltask.queryservice "io"
local S = {}
function S.load(paths)
  local t0 = ltask.counter()
  local probe = ltask.native "${PROBE_NATIVE}"
  local bytes = probe.load(paths, { read = function(p) return ltask.call(io, "read", p) end })
  return bytes, (ltask.counter() - t0) * 1000
end
function S.block(n, ms)
  local t0 = ltask.counter()
  for _ = 1, n do
    local t = ltask.counter()
    while (ltask.counter() - t) * 1000 < ms do end
  end
  return 0, (ltask.counter() - t0) * 1000
end
return S
`;

/** `sources` entries for the two services (`service/ltask-ticker.lua`, `service/ltask-loader.lua`). */
export const SCENARIO_SOURCES: Record<string, string> = {
  'service/ltask-ticker.lua': TICKER_SOURCE,
  'service/ltask-loader.lua': LOADER_SOURCE,
};

/** Options of {@link startScenario}. */
export interface ScenarioOptions {
  /** NPC services ticking (default 0). */
  tickers?: number;
  /** Their tick rate in Hz (default 10). */
  hz?: number;
  /** Pin the tickers to this worker (default: placed by root). */
  tickerWorker?: number;
  /** Loaders started at once (default 0). */
  loaders?: number;
  /** What each loader reads through io (default: none). */
  paths?: string[];
  /**
   * `'none'` (default): loaders wait in native calls on carriers, as designed.
   * `'worker'`: loaders wait `blockMs` per path inside their VM on the tickers'
   * worker (a synchronous library on the service's own thread).
   */
  blocking?: 'none' | 'worker';
  /** Milliseconds per path in the blocking mode (default 300). */
  blockMs?: number;
}

/** A running scenario. */
export interface Scenario {
  /** Addresses of the tickers and loaders. */
  readonly tickers: number[];
  readonly loaders: number[];
  /** Starts every loader at once; settles when all have finished: [bytes, ms] per loader. */
  load(): Promise<[number, number][]>;
  /** Tick gaps (ms) of every ticker since the last collection, as one series. */
  gaps(): Promise<number[]>;
  /** Stops the tickers and returns their last gaps. */
  stop(): Promise<number[]>;
}

/**
 * Spawns tickers (ticking at once) and loaders (idle until `load()`) on a runtime that has {@link SCENARIO_SOURCES}
 * among its `sources` and, for non-blocking loaders, the probe among its
 * `natives` ({@link probeNatives}).
 */
export async function startScenario(rt: Runtime, o: ScenarioOptions = {}): Promise<Scenario> {
  const hz = o.hz ?? 10;
  const tickers: number[] = [];
  for (let i = 0; i < (o.tickers ?? 0); i++) {
    tickers.push(await rt.spawnService({ name: 'ltask-ticker', args: [hz], label: `npc-${i + 1}`, worker_id: o.tickerWorker }));
  }
  const blocking = o.blocking === 'worker';
  const loaders: number[] = [];
  for (let i = 0; i < (o.loaders ?? 0); i++) {
    const worker = blocking ? o.tickerWorker ?? 0 : undefined;
    // A blocking loader spins on purpose: no runaway limit (the watchdog still
    // replaces a worker that one handler holds for watchdogMs).
    loaders.push(await rt.spawnService({ name: 'ltask-loader', label: `loader-${i + 1}`, worker_id: worker, runaway_ms: blocking ? 0 : undefined }));
  }
  const paths = o.paths ?? [];
  const loadOne = (a: number) => (blocking ? rt.callMulti(a, 'block', paths.length, o.blockMs ?? 300) : rt.callMulti(a, 'load', paths));
  const load = () => Promise.all(loaders.map((a) => loadOne(a).then((v) => [Number(v[0]), Number(v[1])] as [number, number])));
  const collect = async (method: 'gaps' | 'stop') => (await Promise.all(tickers.map((a) => rt.call<number[] | Record<string, number>>(a, method)))).flatMap(asArray);
  return { tickers, loaders, load, gaps: () => collect('gaps'), stop: () => collect('stop') };
}

/** A Lua sequence arrives as an array; an empty table as an empty object. */
const asArray = (v: number[] | Record<string, number> | null | undefined): number[] => (Array.isArray(v) ? v : v ? Object.values(v) : []);
