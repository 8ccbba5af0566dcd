/**
 * Diagnostics door: frame-time history with FPS and percentiles (bevy
 * `FrameTimeDiagnosticsPlugin`), frames over budget, CPU time per frame, and
 * an on-screen overlay in browsers.
 * @module
 */
import { First, Last } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { Time } from '../time/index.ts';
import { History } from './history.ts';
import type { FrameStats } from './history.ts';

export { History } from './history.ts';
export type { FrameStats } from './history.ts';

/**
 * Frame times in milliseconds. `frame` is the time between frames (what the
 * player feels, from `Time`); `cpu` is the time `update()` spent from the
 * start of `First` to the end of `Last` (what the engine costs).
 */
export class FrameDiagnostics {
  /** Milliseconds between frames. */
  readonly frame: History;
  /** Milliseconds of work per frame. */
  readonly cpu: History;
  /** Frames seen since the start. */
  frames = 0;
  /** Frames since the start whose frame time exceeded the budget. */
  totalOverBudget = 0;
  /** A frame longer than this many ms is over budget. */
  budgetMs: number;

  /**
   * @param historyLength frames kept
   * @param budgetMs a frame longer than this is over budget (default 1000/60)
   */
  constructor(historyLength = 240, budgetMs = 1000 / 60) {
    this.budgetMs = budgetMs;
    this.frame = new History(historyLength);
    this.cpu = new History(historyLength);
  }

  /** Records one frame. */
  record(frameMs: number, cpuMs: number): void {
    this.frames++;
    this.frame.push(frameMs);
    this.cpu.push(cpuMs);
    if (frameMs > this.budgetMs) this.totalOverBudget++;
  }

  /** Statistics of frame times over the window. */
  frameStats(): FrameStats {
    return this.frame.stats(this.budgetMs);
  }

  /** Statistics of CPU time over the window. */
  cpuStats(): FrameStats {
    return this.cpu.stats(this.budgetMs);
  }

  /** One line for logs or the overlay. */
  summary(): string {
    const f = this.frameStats();
    const c = this.cpuStats();
    const ms = (v: number) => v.toFixed(1);
    return `${f.fps.toFixed(0)} fps | frame p50 ${ms(f.p50)} p95 ${ms(f.p95)} p99 ${ms(f.p99)} max ${ms(f.max)} ms | ` +
      `cpu p50 ${ms(c.p50)} p99 ${ms(c.p99)} ms | over ${ms(this.budgetMs)} ms: ${f.overBudget}/${f.count}`;
  }
}

/** Options of `DiagnosticsPlugin`. */
export interface DiagnosticsPluginOptions {
  /** Frames kept. Default 240. */
  historyLength?: number;
  /** Frame budget in ms. Default 1000/60. */
  budgetMs?: number;
  /** Show the overlay (browser only). Default false. */
  overlay?: boolean;
  /** Overlay refresh period in ms. Default 250. */
  overlayIntervalMs?: number;
}

/**
 * Records frame and CPU times each frame into `FrameDiagnostics`, and
 * optionally shows them in a small overlay.
 * @example
 * ```ts
 * app.addPlugins(new DiagnosticsPlugin({ overlay: true, budgetMs: 1000 / 120 }));
 * // later: app.resource(FrameDiagnostics).frameStats().p99
 * ```
 */
export class DiagnosticsPlugin implements Plugin {
  readonly name = 'DiagnosticsPlugin';

  /** @param options history, budget and overlay */
  constructor(private readonly options: DiagnosticsPluginOptions = {}) {}

  build(app: App): void {
    const o = this.options;
    const diagnostics = new FrameDiagnostics(o.historyLength, o.budgetMs);
    app.insertResource(diagnostics);
    let start = 0;
    app.addSystems(First, function startFrameClock() {
      start = performance.now();
    }, { before: 'time' });
    let overlay: HTMLElement | null = null;
    let shownAt = -Infinity;
    if (o.overlay && typeof document !== 'undefined') {
      overlay = document.createElement('pre');
      overlay.dataset.engine = 'diagnostics';
      overlay.style.cssText =
        'position:fixed;left:4px;top:4px;margin:0;padding:2px 6px;font:11px/1.3 monospace;' +
        'color:#0f0;background:rgba(0,0,0,.6);pointer-events:none;z-index:9999;white-space:pre';
      document.body.appendChild(overlay);
      app.onExit(() => overlay?.remove());
    }
    app.addSystems(Last, function recordFrameTime({ getResource }) {
      const now = performance.now();
      const time = getResource(Time);
      diagnostics.record(time ? time.rawDelta * 1000 : 0, now - start);
      if (overlay && now - shownAt >= (o.overlayIntervalMs ?? 250)) {
        shownAt = now;
        overlay.textContent = diagnostics.summary();
      }
    });
  }
}
