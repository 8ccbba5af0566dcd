/**
 * The world-bridge benchmark's scenario, the same in Node (headless App, frames
 * on a 60 Hz timer) and in the page (bench/world/main.ts, frames on
 * requestAnimationFrame): a scene of N x M App entities with a Transform, then
 * four phases of the same run:
 *
 * - `scene`: no services (the frame interval without them);
 * - `baseline`: N Lua movers tick on the App's clock and `ltask.send` their
 *   positions to a director every tick; the App keeps one `Ltask.request`
 *   of `director.snapshot` in flight and copies the positions into Transform;
 * - `world`: N Lua movers write the Transform of their M entities with
 *   `world.set` every tick (the world bridge);
 * - `scene` again (pooled with the first).
 *
 * Every frame the App checks every entity: a triple (px, py, pz) that differs is
 * a torn read, a value that changed is a service's write, rendered `app.frame -
 * value` frames after the frame the service read. Last, a probe service times
 * `world.set` / `world.get` against a local table write / read.
 */
import { Last, MAX_ENTITIES, PreUpdate, Transform, Update, spawn, transform, type App, type EntityId, type SystemContext } from '@ltask-web/engine';
import { FrameRecorder, summarize, type Stats } from '@ltask-web/engine/testing';
import { Ltask, LtaskPlugin, LtaskSystems, LtaskWorldStats, defineReply, type Runtime } from '@ltask-web/plugin-ltask/engine';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import { WORLD_SOURCES } from './services.ts';

export interface WorldBenchOptions {
  /** Lua mover services. */
  services: number;
  /** Entities each mover moves. */
  perService: number;
  /** Seconds recorded per phase (after `warmup`). */
  seconds: number;
  warmup: number;
  workers: number;
  /** Iterations of each probe loop, and timed runs of each (the median is kept). */
  microOps: number;
  microReps: number;
}

/** Latencies (frames) at and above this share the last bucket (about 17 s at 60 Hz). */
const LAT_BUCKETS = 1024;

export interface PhaseResult {
  name: string;
  seconds: number;
  frames: number;
  /** Real ms between frame starts (each, and summed up), and main-thread ms of the frame (First..Last). */
  intervals: number[];
  interval: Stats;
  cpu: Stats;
  /** Main-thread ms per frame: the bridge's apply (LtaskWorldStats.applyMs) and snapshot (publishMs). */
  apply: Stats;
  publish: Stats;
  /** Main-thread ms of the publish's wake-up of sleeping workers (`Atomics.notify`), per wake-up. */
  wake: Stats;
  /** Commands applied per frame, and the apply's main-thread ns per command (frames with commands). */
  commands: Stats;
  applyNsPerCommand: number;
  /** Main-thread ms per frame copying the director's reply into Transform (0 on frames without one). */
  copy: Stats;
  /** Main-thread busy ms per frame, everything included (Node's event-loop utilisation); null where unknown. */
  busyPerFrame: number | null;
  /** Entity writes seen by the App: count per latency in frames (index = frames, last bucket: more). */
  latency: number[];
  latencyStats: { count: number; p50: number; p99: number; max: number; mean: number };
  /** Entity updates the App saw per second (all entities), and per entity per second. */
  updatesPerSecond: number;
  /** Frames in which some entity's (px, py, pz) differed. */
  tornFrames: number;
  /** Services' own reads of a triple from the snapshot that differed / reads made. */
  serviceTorn: number;
  serviceReads: number;
  /** Real ms between a service's ticks (all services pooled), and ticks per service per second. */
  tickGaps: Stats;
  tickRate: number;
  /** Director replies applied, their round trip (ms) and the movers' messages per reply. */
  replies: number;
  replyMs: Stats;
  /** Director requests that failed, and the first error. */
  replyErrors: number;
  replyError?: string;
  sendFailures: number;
  skipped: number;
  /** Steps that found their worker's command ring full and waited for room (LtaskWorldStats.ringFull). */
  ringFull: number;
}

export interface MicroResult {
  /** ns per iteration, loop included. */
  local_set: number;
  local_get: number;
  world_set: number;
  world_get: number;
  world_set3: number;
  local_set3: number;
  world_get_table: number;
  /** Reads of the probe's live entity that found nothing (must be 0), and what the first such step saw. */
  misses: number;
  miss_seen?: string;
}

export interface WorldBenchReport {
  options: WorldBenchOptions;
  entities: number;
  phases: PhaseResult[];
  micro: MicroResult;
  startMs: number;
  error?: string;
}

/** The director's snapshot replies. */
export const DirectorReply = defineReply('BenchDirectorReply');

/** The plugin as the benchmark configures it (the world shares Transform). */
export function worldBenchPlugin(o: WorldBenchOptions): LtaskPlugin {
  return new LtaskPlugin({
    workers: o.workers,
    sources: WORLD_SOURCES,
    io: false,
    statsIntervalMs: 0,
    queueLimit: 1 << 16,
    world: { components: { Transform }, reserve: 1024 },
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `p`, or an error naming `what` after `ms` (a lost reply must not hang the run). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`[bench] ${what}: no answer in ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Taken {
  gaps: number[];
  ticks: number;
  torn: number;
  reads: number;
  sent_fail: number;
}

/** The histogram without its empty tail. */
const trimmed = (h: number[]) => h.slice(0, h.findLastIndex((n) => n > 0) + 1);

/** Percentiles of a histogram of integer latencies. */
function histStats(h: number[]): PhaseResult['latencyStats'] {
  const count = h.reduce((a, b) => a + b, 0);
  const at = (p: number) => {
    let acc = 0;
    const need = Math.ceil(p * count);
    for (let i = 0; i < h.length; i++) if ((acc += h[i]!) >= need) return i;
    return h.length - 1;
  };
  let max = 0;
  h.forEach((n, i) => n > 0 && (max = i));
  const mean = count ? h.reduce((a, n, i) => a + n * i, 0) / count : 0;
  return { count, p50: count ? at(0.5) : 0, p99: count ? at(0.99) : 0, max, mean };
}

/** The App side of the benchmark: systems, phases, services. */
export class WorldBench {
  readonly recorder: FrameRecorder;
  private readonly eids: EntityId[] = [];
  private seen = new Float64Array(0);
  private mode: 'idle' | 'baseline' | 'world' = 'idle';
  private recording = false;
  private director = 0;
  private inFlight = false;
  private acc = this.fresh();
  private readonly scratch = new Array<number>(LAT_BUCKETS).fill(0);
  private readonly waiters: { frame: number; resolve: () => void }[] = [];

  constructor(
    private readonly app: App,
    private readonly o: WorldBenchOptions,
    /** Main-thread busy ms so far (Node: event-loop utilisation), or null. */
    private readonly busy: () => number | null = () => null,
  ) {
    app.addEvent(DirectorReply);
    this.recorder = FrameRecorder.attach(app).stop();
    app.addSystems(PreUpdate, (ctx: SystemContext) => this.pollDirector(ctx), { after: LtaskSystems.applyWorld });
    app.addSystems(Update, () => this.check());
    app.addSystems(Last, (ctx: SystemContext) => this.endFrame(ctx), { after: LtaskSystems.publishWorld });
  }

  private fresh() {
    return { apply: [] as number[], publish: [] as number[], wake: [] as number[], commands: [] as number[], busyApply: 0, busyCommands: 0, copy: [] as number[], replyMs: [] as number[], lat: new Array<number>(LAT_BUCKETS).fill(0), replyErrors: 0, replyError: undefined as string | undefined, updates: 0, torn: 0, frames: 0, published: 0, skipped0: 0, ringFull0: 0 };
  }

  /** The scene's entities, in order (mover s moves entities s*M .. s*M+M-1). */
  get entities(): readonly EntityId[] {
    return this.eids;
  }

  /** The scene: N x M entities with a Transform, spread on a grid. */
  spawnScene(): void {
    const n = this.o.services * this.o.perService;
    const side = Math.ceil(Math.sqrt(n));
    for (let j = 0; j < n; j++) this.eids.push(spawn(this.app.world, transform({ position: [j % side, 0, Math.floor(j / side)] })));
    for (const e of this.eids) Transform.px[e] = Transform.py[e] = Transform.pz[e] = 0;
    this.seen = new Float64Array(n);
  }

  // ------------------------------------------------------------- systems

  private pollDirector({ read }: SystemContext): void {
    const t0 = performance.now();
    let copied = false;
    for (const r of read(DirectorReply)) {
      this.inFlight = false;
      if (!r.ok && this.recording) {
        this.acc.replyErrors++;
        this.acc.replyError ??= r.error?.message ?? 'failed';
      }
      if (!r.ok || this.mode !== 'baseline') continue;
      this.copyPositions(r.values[0]);
      copied = true;
      if (this.recording) this.acc.replyMs.push(r.ms);
    }
    const ms = copied ? performance.now() - t0 : 0;
    if (this.recording) this.acc.copy.push(ms);
    if (this.mode === 'baseline' && !this.inFlight && this.director) {
      this.inFlight = true;
      this.app.resource(Ltask).request(DirectorReply, this.director, 'snapshot');
    }
  }

  private copyPositions(pos: unknown): void {
    const m = this.o.perService;
    const { px, py, pz } = Transform;
    const list = (Array.isArray(pos) ? pos : Object.values(pos as object)) as (number[] | undefined)[];
    const keyed = !Array.isArray(pos);
    for (let s = 0; s < this.o.services; s++) {
      const p = keyed ? (pos as Record<string, number[]>)[String(s + 1)] : list[s];
      if (!p) continue;
      for (let j = 0; j < m; j++) {
        const e = this.eids[s * m + j]!;
        px[e] = p[3 * j]!;
        py[e] = p[3 * j + 1]!;
        pz[e] = p[3 * j + 2]!;
      }
    }
  }

  /** Every entity: torn triple? changed (a write seen, and how late)? */
  private check(): void {
    const { px, py, pz } = Transform;
    const f = this.app.frame;
    const seen = this.seen;
    // Outside a recording the latencies go to a scratch histogram (the last phase's stays as it ended).
    const lat = this.recording ? this.acc.lat : this.scratch;
    let torn = false;
    let changed = 0;
    for (let j = 0; j < this.eids.length; j++) {
      const e = this.eids[j]!;
      const x = px[e]!;
      if (x !== py[e] || x !== pz[e]) torn = true;
      if (x !== seen[j]) {
        seen[j] = x;
        changed++;
        const l = f - x;
        const k = l < 0 ? 0 : l >= LAT_BUCKETS ? LAT_BUCKETS - 1 : l;
        lat[k] = lat[k]! + 1;
      }
    }
    if (!this.recording) return;
    this.acc.updates += changed;
    if (torn) this.acc.torn++;
  }

  private endFrame({ resource }: SystemContext): void {
    const s = resource(LtaskWorldStats);
    if (this.recording) {
      this.acc.frames++;
      this.acc.apply.push(s.applyMs);
      this.acc.commands.push(s.commands);
      if (s.commands > 0) {
        this.acc.busyApply += s.applyMs;
        this.acc.busyCommands += s.commands;
      }
      if (s.published !== this.acc.published) this.acc.publish.push(s.publishMs);
    }
    this.acc.published = s.published;
    const f = this.app.frame;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.frame <= f) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Resolves after `n` more frames. */
  frames(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ frame: this.app.frame + n, resolve }));
  }

  // ------------------------------------------------------------- phases

  /** Runs every phase and the probe; the report of the whole run. */
  async run(onPhase: (name: string) => void = () => {}): Promise<WorldBenchReport> {
    const t0 = performance.now();
    const lt = this.app.resource(Ltask);
    const rt = await lt.whenReady();
    this.timeWakes(rt);
    await this.frames(3);
    const probe = await rt.spawn('probe');
    await this.frames(3);
    const ids = await this.sharedIds(rt, probe);
    const startMs = performance.now() - t0;
    const phases: PhaseResult[] = [];
    onPhase('scene');
    phases.push(await this.phase('scene', rt, []));
    onPhase('baseline');
    phases.push(await this.withMovers(rt, 'baseline', ids));
    onPhase('world');
    phases.push(await this.withMovers(rt, 'world', ids));
    onPhase('scene');
    phases.push(await this.phase('scene', rt, []));
    onPhase('probe');
    const micro = await within(rt.call<MicroResult>(probe, 'micro', this.o.microOps, this.o.microReps), 300_000, 'probe.micro');
    await rt.kill(probe);
    return { options: this.o, entities: this.eids.length, phases, micro, startMs };
  }

  /** Times each wake-up of a worker that a publish does (the runtime's internal `wakeWorker`). */
  private timeWakes(rt: Runtime): void {
    const internals = runtimeInternals(rt);
    const wake = internals.wakeWorker.bind(internals);
    internals.wakeWorker = (w: number) => {
      const t0 = performance.now();
      wake(w);
      if (this.recording) this.acc.wake.push(performance.now() - t0);
    };
  }

  /** The id services use for each scene entity (generation * MAX_ENTITIES + index), in scene order. */
  private async sharedIds(rt: Runtime, probe: number): Promise<number[]> {
    const byIndex = new Map<number, number>();
    for (let tries = 0; tries < 50; tries++) {
      const list = await rt.call<number[]>(probe, 'ids');
      for (const id of list ?? []) byIndex.set(id % MAX_ENTITIES, id);
      if (this.eids.every((e) => byIndex.has(e))) return this.eids.map((e) => byIndex.get(e)!);
      await this.frames(2);
    }
    throw new Error('[bench] the scene entities never showed in the snapshot');
  }

  private async withMovers(rt: Runtime, mode: 'baseline' | 'world', ids: number[]): Promise<PhaseResult> {
    const { services: n, perService: m } = this.o;
    if (mode === 'baseline') this.director = await rt.spawn('director');
    const movers = await Promise.all(Array.from({ length: n }, () => rt.spawn('mover')));
    await Promise.all(
      movers.map((a, s) =>
        rt.call(a, 'start', mode === 'world' ? { mode: 'world', ids: ids.slice(s * m, s * m + m), m } : { mode: 'send', director: this.director, slot: s + 1, m }),
      ),
    );
    this.mode = mode;
    await Promise.all(movers.map((a) => rt.call(a, 'go')));
    const r = await this.phase(mode, rt, movers);
    this.mode = 'idle';
    await Promise.all(movers.map((a) => rt.kill(a)));
    if (this.director) await rt.kill(this.director);
    this.director = 0;
    this.inFlight = false;
    await this.frames(10);
    return r;
  }

  /** Warm-up, then `seconds` recorded; the movers' own figures taken after. */
  private async phase(name: string, rt: Runtime, movers: number[]): Promise<PhaseResult> {
    await sleep(this.o.warmup * 1000);
    await this.take(rt, movers);
    const stats = this.app.resource(LtaskWorldStats);
    this.acc = this.fresh();
    this.acc.skipped0 = stats.skipped;
    this.acc.ringFull0 = stats.ringFull;
    this.acc.published = stats.published;
    const busy0 = this.busy();
    this.recorder.start();
    this.recording = true;
    const t0 = performance.now();
    await sleep(this.o.seconds * 1000);
    this.recording = false;
    this.recorder.stop();
    const seconds = (performance.now() - t0) / 1000;
    const busy1 = this.busy();
    const taken = await this.take(rt, movers);
    return this.result(name, seconds, taken, busy0 === null || busy1 === null ? null : busy1 - busy0);
  }

  private async take(rt: Runtime, movers: number[]): Promise<Taken[]> {
    return within(Promise.all(movers.map((a) => rt.call<Taken>(a, 'take'))), 60_000, 'movers.take');
  }

  private result(name: string, seconds: number, taken: Taken[], busyMs: number | null): PhaseResult {
    const a = this.acc;
    const report = this.recorder.report();
    const gaps = taken.flatMap((t) => (Array.isArray(t.gaps) ? t.gaps : []));
    const sum = (f: (t: Taken) => number) => taken.reduce((x, t) => x + (f(t) || 0), 0);
    return {
      name,
      seconds,
      frames: report.frames,
      intervals: this.recorder.frames().slice(1).map((f) => Math.round(f.intervalMs * 1000) / 1000),
      interval: report.interval,
      cpu: report.cpu,
      apply: summarize(a.apply),
      publish: summarize(a.publish),
      wake: summarize(a.wake),
      commands: summarize(a.commands),
      applyNsPerCommand: a.busyCommands ? (a.busyApply * 1e6) / a.busyCommands : 0,
      copy: summarize(a.copy),
      busyPerFrame: busyMs === null ? null : busyMs / Math.max(1, a.frames),
      latency: trimmed(a.lat),
      latencyStats: histStats(a.lat),
      updatesPerSecond: a.updates / seconds,
      tornFrames: a.torn,
      serviceTorn: sum((t) => t.torn),
      serviceReads: sum((t) => t.reads),
      tickGaps: summarize(gaps),
      tickRate: taken.length ? sum((t) => t.ticks) / taken.length / seconds : 0,
      replies: a.replyMs.length,
      replyMs: summarize(a.replyMs),
      replyErrors: a.replyErrors,
      replyError: a.replyError,
      sendFailures: sum((t) => t.sent_fail),
      skipped: this.app.resource(LtaskWorldStats).skipped - a.skipped0,
      ringFull: this.app.resource(LtaskWorldStats).ringFull - a.ringFull0,
    };
  }
}
