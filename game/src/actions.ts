/**
 * What the player asked for (buttons and keys), and how long each request
 * took in frames: every request is sent with `Ltask.request` and answered by an
 * `LtaskEvent`; frame times are recorded while any request is in flight.
 */
import { Time, type SystemContext } from '@ltask-web/engine';
import { Ltask } from '@ltask-web/plugin-ltask/engine';

export type Action = 'level' | 'model' | 'dialogue';

/** Queue filled by the DOM (buttons) and keys, emptied by systems each frame. */
export class Actions {
  readonly queue: Action[] = [];
  push(a: Action): void {
    this.queue.push(a);
  }
  take(a: Action): boolean {
    const i = this.queue.indexOf(a);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }
}

/** One finished wait: a request from send to reply. */
export interface WaitRecord {
  what: string;
  ms: number;
  frames: number;
  p50: number;
  p99: number;
  max: number;
}

/** Frames and frame times while requests are in flight. */
export class Waits {
  /** Open waits by name: start time and frame. */
  readonly open = new Map<string, { t0: number; frame: number; times: number[] }>();
  /** Finished waits, newest last. */
  readonly done: WaitRecord[] = [];

  begin(what: string, frame: number): void {
    this.open.set(what, { t0: performance.now(), frame, times: [] });
  }

  end(what: string, frame: number): WaitRecord | undefined {
    const w = this.open.get(what);
    if (!w) return undefined;
    this.open.delete(what);
    const sorted = [...w.times].sort((a, b) => a - b);
    const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
    const rec = { what, ms: performance.now() - w.t0, frames: frame - w.frame, p50: rank(0.5), p99: rank(0.99), max: sorted.at(-1) ?? 0 };
    this.done.push(rec);
    if (this.done.length > 20) this.done.shift();
    return rec;
  }
}

/** Records each frame's time into every open wait. */
export function recordWaits({ resource }: SystemContext): void {
  const waits = resource(Waits);
  if (waits.open.size === 0) return;
  const ms = resource(Time).rawDelta * 1000;
  for (const w of waits.open.values()) w.times.push(ms);
}

/** Sends a request to the game service and opens a wait for it. */
export function ask(ctx: SystemContext, what: string, method: string, args: unknown[] = []): void {
  ctx.resource(Ltask).request('game', method, args, { tag: what });
  ctx.resource(Waits).begin(what, ctx.app.frame);
}
