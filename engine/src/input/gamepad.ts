/**
 * Gamepads (the browser's Gamepad API, polled once per frame in `PreUpdate`),
 * as a resource: each pad's buttons (pressed, value) and axes. Tests and
 * replays set pads with `SyntheticInput.gamepad(...)`.
 */

/** One gamepad's state this frame (standard mapping: buttons 0-16, axes 0-3 = left x, left y, right x, right y). */
export interface PadState {
  /** Button values, 0..1 (analog triggers in between). */
  readonly buttons: number[];
  /** Axis values, -1..1. */
  readonly axes: number[];
}

/** Buttons count as pressed from this value up (the Gamepad API's `pressed` for analog triggers varies by browser). */
export const PRESSED = 0.5;

/** The gamepads connected, by index, and which buttons went down or up this frame. */
export class Gamepads {
  /** Pads by index (the Gamepad API's `index`). */
  readonly pads = new Map<number, PadState>();
  private readonly before = new Map<number, number[]>();

  /** Whether button `b` of pad `pad` (default: any pad) is held. */
  pressed(b: number, pad?: number): boolean {
    return this.some(pad, (p) => (p.buttons[b] ?? 0) >= PRESSED);
  }

  /** Whether button `b` went down this frame. */
  justPressed(b: number, pad?: number): boolean {
    return this.some(pad, (p, i) => (p.buttons[b] ?? 0) >= PRESSED && (this.before.get(i)?.[b] ?? 0) < PRESSED);
  }

  /** Whether button `b` went up this frame. */
  justReleased(b: number, pad?: number): boolean {
    return this.some(pad, (p, i) => (p.buttons[b] ?? 0) < PRESSED && (this.before.get(i)?.[b] ?? 0) >= PRESSED);
  }

  /** Axis `a` of pad `pad` (default: the first pad with that axis away from 0), -1..1. */
  axis(a: number, pad?: number): number {
    if (pad !== undefined) return this.pads.get(pad)?.axes[a] ?? 0;
    for (const p of this.pads.values()) if (p.axes[a]) return p.axes[a];
    return 0;
  }

  /** A new frame: what was held becomes "before", then `pads` takes this frame's states. */
  update(next: ReadonlyMap<number, PadState>): void {
    this.before.clear();
    for (const [i, p] of this.pads) this.before.set(i, [...p.buttons]);
    this.pads.clear();
    for (const [i, p] of next) this.pads.set(i, { buttons: [...p.buttons], axes: [...p.axes] });
  }

  private some(pad: number | undefined, f: (p: PadState, index: number) => boolean): boolean {
    if (pad !== undefined) {
      const p = this.pads.get(pad);
      return p !== undefined && f(p, pad);
    }
    for (const [i, p] of this.pads) if (f(p, i)) return true;
    return false;
  }
}

/** The pads the browser reports now (none outside a browser, or where the Gamepad API is missing). */
export function readBrowserPads(): Map<number, PadState> {
  const out = new Map<number, PadState>();
  const nav = typeof navigator !== 'undefined' ? (navigator as Navigator & { getGamepads?: () => (Gamepad | null)[] }) : undefined;
  if (!nav?.getGamepads) return out;
  for (const g of nav.getGamepads()) {
    if (!g?.connected) continue;
    out.set(g.index, { buttons: g.buttons.map((b) => (b.pressed ? Math.max(b.value, PRESSED) : b.value)), axes: [...g.axes] });
  }
  return out;
}
