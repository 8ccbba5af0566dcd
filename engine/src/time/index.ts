/**
 * Time door: frame time (`Time`), the fixed timestep (`FixedTime`) and
 * `TimePlugin`, which advances both and runs `FixedUpdate` as many times as
 * the accumulated time allows.
 * @module
 */
import { First, FixedUpdate } from '../app/index.ts';
import type { App, Condition, Plugin } from '../app/index.ts';

/** Frame time, in seconds. Read it in systems: `resource(Time).delta`. */
export class Time {
  /** Seconds since the previous frame (after clamping to `maxDelta`). */
  delta = 0;
  /** Seconds since the first frame (sum of deltas). */
  elapsed = 0;
  /** Longest delta one frame may advance: a tab coming back from the background does not fast-forward the game (bevy's 250 ms). */
  maxDelta = 0.25;
  /** Frames counted by `TimePlugin`. */
  frame = 0;
  /** The delta before clamping. */
  rawDelta = 0;
  /**
   * Game time stands still while paused (bevy's `Time<Virtual>::pause`):
   * `delta` is 0, `elapsed` holds, `FixedUpdate` does not run, and services
   * on the App's clock get no ticks. Frames still run and render.
   */
  paused = false;
  /** Game time runs at this multiple of real time (bevy's relative speed; 1: real time). */
  scale = 1;

  /** Advances by `dt` seconds of real time (clamped to `maxDelta`, then scaled; nothing while paused). */
  advance(dt: number): void {
    this.rawDelta = dt;
    this.delta = this.paused ? 0 : Math.min(dt, this.maxDelta) * this.scale;
    this.elapsed += this.delta;
    this.frame++;
  }
}

/**
 * The fixed timestep. `FixedUpdate` systems see `delta === step` and run
 * `floor(accumulated / step)` times per frame; what is left is `overstep`
 * (use `overstepFraction` to interpolate rendering).
 */
export class FixedTime {
  /** Seconds per fixed step (default 1/64 s, like bevy). */
  step: number;
  /** Seconds accumulated but not yet simulated. */
  overstep = 0;
  /** Simulated seconds (steps run × step). */
  elapsed = 0;
  /** Steps run in the current frame. */
  stepsThisFrame = 0;
  /** Steps run since the start. */
  totalSteps = 0;

  /** @param step seconds per fixed step */
  constructor(step = 1 / 64) {
    if (!(step > 0)) throw new Error(`[time] fixed step must be > 0 seconds, got ${step}`);
    this.step = step;
  }

  /** Seconds per step, the delta `FixedUpdate` systems should use. */
  get delta(): number {
    return this.step;
  }

  /** Fraction of a step accumulated but not yet simulated, in [0, 1). */
  get overstepFraction(): number {
    return this.overstep / this.step;
  }

  /** Adds frame time; call `expend()` until it returns false. */
  accumulate(dt: number): void {
    this.overstep += dt;
    this.stepsThisFrame = 0;
  }

  /** Takes one step's worth of time if there is enough. */
  expend(): boolean {
    // A tiny epsilon keeps 1/60 + 1/60 + 1/60 from falling short of 3 steps of 1/60.
    if (this.overstep + 1e-9 < this.step) return false;
    this.overstep = Math.max(0, this.overstep - this.step);
    this.elapsed += this.step;
    this.stepsThisFrame++;
    this.totalSteps++;
    return true;
  }
}

/** Options of `TimePlugin`. */
export interface TimePluginOptions {
  /** Seconds per fixed step. Default 1/64. */
  fixedStep?: number;
  /** Longest frame delta, in seconds. Default 0.25. */
  maxDelta?: number;
}

/**
 * Inserts `Time` and `FixedTime`, advances them at the start of each frame
 * (from `app.update(dt)`'s `dt`, or measured with `performance.now()`), and
 * drives `FixedUpdate`.
 * @example
 * ```ts
 * app.addPlugins(new TimePlugin({ fixedStep: 1 / 50 }));
 * app.addSystems(FixedUpdate, ({ resource }) => simulate(resource(FixedTime).delta));
 * ```
 */
export class TimePlugin implements Plugin {
  readonly name = 'TimePlugin';

  /** @param options fixed step and delta clamp */
  constructor(private readonly options: TimePluginOptions = {}) {}

  build(app: App): void {
    const time = new Time();
    if (this.options.maxDelta !== undefined) time.maxDelta = this.options.maxDelta;
    const fixed = new FixedTime(this.options.fixedStep);
    app.insertResource(time).insertResource(fixed);
    let last: number | undefined;
    app.addSystems(First, function advanceTime() {
      const now = performance.now();
      const measured = last === undefined ? 0 : (now - last) / 1000;
      last = now;
      time.advance(app.frameDelta ?? measured);
    }, { inSet: 'time', before: 'events' });
    app.setScheduleRunner(FixedUpdate, (runOnce) => {
      fixed.accumulate(time.delta);
      while (fixed.expend()) runOnce();
    });
  }
}

/**
 * A run condition: true once every `seconds` of game time (`Time.elapsed`:
 * a paused game's timers stand still, the time scale applies). A frame that
 * passes several periods counts once. Each call makes a timer of its own.
 * @example app.addSystems(Update, spawnWave, { runIf: onTimer(5) })
 */
export function onTimer(seconds: number): Condition {
  if (!(seconds > 0)) throw new Error(`[time] onTimer: seconds must be > 0, got ${seconds}`);
  let next = -1;
  return ({ resource }) => {
    const t = resource(Time).elapsed;
    if (next < 0) next = t + seconds;
    if (t + 1e-9 < next) return false;
    while (next <= t + 1e-9) next += seconds;
    return true;
  };
}
