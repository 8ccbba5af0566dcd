/**
 * Input door: keyboard, mouse and touch state as resources, fed by a
 * pluggable source (DOM or synthetic) and updated in `PreUpdate`.
 * @module
 */
import { PreUpdate } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { ButtonInput } from './button.ts';
import { DomInputSource } from './source.ts';
import type { InputSource, RawInput } from './source.ts';

export { ButtonInput } from './button.ts';
export { DomInputSource, SyntheticInput } from './source.ts';
export type { InputSource, RawInput } from './source.ts';

/** Keys by `KeyboardEvent.code` ('KeyA', 'Space', 'ArrowLeft'...). */
export class Keyboard extends ButtonInput<string> {}

/** Mouse buttons (0 left, 1 middle, 2 right), position and motion. */
export class Mouse extends ButtonInput<number> {
  /** Pointer position in target pixels. */
  x = 0;
  /** Pointer position in target pixels. */
  y = 0;
  /** Motion this frame. */
  dx = 0;
  /** Motion this frame. */
  dy = 0;
  /** Wheel scroll this frame. */
  wheelX = 0;
  /** Wheel scroll this frame. */
  wheelY = 0;
}

/** One finger on the screen. */
export interface Touch {
  readonly id: number;
  x: number;
  y: number;
  readonly startX: number;
  readonly startY: number;
}

/** Fingers on the screen and which started or ended this frame. */
export class Touches {
  /** Active touches by id. */
  readonly active = new Map<number, Touch>();
  /** Ids that touched down this frame. */
  readonly justStarted = new Set<number>();
  /** Ids that lifted this frame. */
  readonly justEnded = new Set<number>();

  /** Whether any finger is down. */
  any(): boolean {
    return this.active.size > 0;
  }
}

/** Options of `InputPlugin`. */
export interface InputPluginOptions {
  /**
   * Where input comes from. Default: a `DomInputSource` on `document.body` in
   * a browser, nothing elsewhere.
   */
  source?: InputSource | null;
}

/** Raw events waiting for the next `PreUpdate`. */
export class InputQueue {
  /** Queued events, oldest first. */
  readonly events: RawInput[] = [];
}

/**
 * Adds `Keyboard`, `Mouse` and `Touches` resources and updates them from the
 * source once per frame, so every system in a frame sees the same state.
 * @example
 * ```ts
 * app.addPlugins(new InputPlugin({ source: new DomInputSource(canvas) }));
 * app.addSystems(Update, ({ resource }) => resource(Keyboard).pressed('Space') && jump());
 * ```
 */
export class InputPlugin implements Plugin {
  readonly name = 'InputPlugin';

  /** @param options the input source */
  constructor(private readonly options: InputPluginOptions = {}) {}

  build(app: App): void {
    const keyboard = new Keyboard();
    const mouse = new Mouse();
    const touches = new Touches();
    const queue = new InputQueue();
    app.insertResource(keyboard).insertResource(mouse).insertResource(touches).insertResource(queue);
    const source =
      this.options.source !== undefined ? this.options.source : typeof document !== 'undefined' ? new DomInputSource() : null;
    if (source) {
      source.attach((e) => queue.events.push(e));
      app.onExit(() => source.detach());
    }
    app.addSystems(PreUpdate, function applyInput() {
      keyboard.clearJust();
      mouse.clearJust();
      mouse.dx = mouse.dy = mouse.wheelX = mouse.wheelY = 0;
      touches.justStarted.clear();
      touches.justEnded.clear();
      for (const e of queue.events.splice(0)) applyRaw(e, keyboard, mouse, touches);
    }, { inSet: 'input' });
  }
}

function applyRaw(e: RawInput, keyboard: Keyboard, mouse: Mouse, touches: Touches): void {
  switch (e.type) {
    case 'keydown': return keyboard.press(e.code);
    case 'keyup': return keyboard.release(e.code);
    case 'blur': keyboard.releaseAll(); mouse.releaseAll(); return;
    case 'mousedown': return mouse.press(e.button);
    case 'mouseup': return mouse.release(e.button);
    case 'mousemove':
      mouse.dx += e.x - mouse.x;
      mouse.dy += e.y - mouse.y;
      mouse.x = e.x;
      mouse.y = e.y;
      return;
    case 'wheel':
      mouse.wheelX += e.dx;
      mouse.wheelY += e.dy;
      return;
    case 'touchstart':
      touches.active.set(e.id, { id: e.id, x: e.x, y: e.y, startX: e.x, startY: e.y });
      touches.justStarted.add(e.id);
      return;
    case 'touchmove': {
      const t = touches.active.get(e.id);
      if (t) { t.x = e.x; t.y = e.y; }
      return;
    }
    case 'touchend':
      if (touches.active.delete(e.id)) touches.justEnded.add(e.id);
      return;
  }
}
