/**
 * Input door: keyboard, mouse and touch state as resources, fed by a
 * pluggable source (DOM or synthetic) and updated in `PreUpdate`.
 * @module
 */
import { PreUpdate } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { Keyboard, Mouse, Touches } from './devices.ts';
import { Gamepads, readBrowserPads, type PadState } from './gamepad.ts';
import { DomInputSource } from './source.ts';
import type { InputSource, RawInput } from './source.ts';

export { ButtonInput } from './button.ts';
export { Keyboard, Mouse, Touches } from './devices.ts';
export type { Touch } from './devices.ts';
export { Gamepads } from './gamepad.ts';
export type { PadState } from './gamepad.ts';
export { Actions, ActionsPlugin, axis2d, defineActions, key, mouseButton, padAxis, padButton, padStick, touch } from './actions.ts';
export type { ActionBinding, ActionsKey, Axis2d, Binding } from './actions.ts';
export { DomInputSource, SyntheticInput } from './source.ts';
export type { InputSource, RawInput } from './source.ts';

/** Options of `InputPlugin`. */
export interface InputPluginOptions {
  /**
   * Where input comes from. Default: a `DomInputSource` on `document.body` in
   * a browser, nothing elsewhere.
   */
  source?: InputSource | null;
  /** Read the browser's gamepads (`navigator.getGamepads()`) every frame. Default: true where there is a Gamepad API. */
  gamepads?: boolean;
}

/** Raw events waiting for the next `PreUpdate`. */
export class InputQueue {
  /** Queued events, oldest first. */
  readonly events: RawInput[] = [];
}

/**
 * Adds `Keyboard`, `Mouse`, `Touches` and `Gamepads` resources and updates them from the
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
    const pads = new Gamepads();
    const queue = new InputQueue();
    app.insertResource(keyboard).insertResource(mouse).insertResource(touches).insertResource(pads).insertResource(queue);
    const synthetic = new Map<number, PadState>();
    const browserPads = this.options.gamepads ?? true;
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
      for (const e of queue.events.splice(0)) {
        if (e.type === 'gamepad') {
          if (e.state) synthetic.set(e.index, e.state);
          else synthetic.delete(e.index);
        } else applyRaw(e, keyboard, mouse, touches);
      }
      const now = browserPads ? readBrowserPads() : new Map<number, PadState>();
      for (const [i, p] of synthetic) now.set(i, p);
      pads.update(now);
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
