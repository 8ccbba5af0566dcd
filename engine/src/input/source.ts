/**
 * Input sources: where raw input events come from. The DOM source listens to
 * a window and an element; the synthetic source is driven by code (tests,
 * replays, bots).
 */

import type { PadState } from './gamepad.ts';

/** A raw input event, as queued by a source and applied in `PreUpdate`. */
export type RawInput =
  | { type: 'keydown'; code: string }
  | { type: 'keyup'; code: string }
  | { type: 'mousemove'; x: number; y: number }
  | { type: 'mousedown'; button: number }
  | { type: 'mouseup'; button: number }
  | { type: 'wheel'; dx: number; dy: number }
  | { type: 'touchstart'; id: number; x: number; y: number }
  | { type: 'touchmove'; id: number; x: number; y: number }
  | { type: 'touchend'; id: number }
  | { type: 'gamepad'; index: number; state: PadState | null }
  | { type: 'blur' };

/** Something that produces raw input: attach gives it a sink, detach stops it. */
export interface InputSource {
  /** Starts sending events to `sink`. */
  attach(sink: (event: RawInput) => void): void;
  /** Stops sending events and removes listeners. */
  detach(): void;
}

/**
 * An input source driven by code.
 * @example
 * ```ts
 * const input = new SyntheticInput();
 * app.addPlugins(new InputPlugin({ source: input }));
 * input.keyDown('KeyW'); app.update(1 / 60); // Keyboard.justPressed('KeyW') is true
 * ```
 */
export class SyntheticInput implements InputSource {
  private sink: ((event: RawInput) => void) | null = null;
  private readonly early: RawInput[] = [];

  attach(sink: (event: RawInput) => void): void {
    this.sink = sink;
    for (const e of this.early.splice(0)) sink(e);
  }

  detach(): void {
    this.sink = null;
  }

  /** Sends any raw event (kept until attached). */
  emit(event: RawInput): this {
    if (this.sink) this.sink(event);
    else this.early.push(event);
    return this;
  }

  /** A key goes down (`code` as in `KeyboardEvent.code`, e.g. 'KeyA', 'Space'). */
  keyDown(code: string): this {
    return this.emit({ type: 'keydown', code });
  }

  /** A key goes up. */
  keyUp(code: string): this {
    return this.emit({ type: 'keyup', code });
  }

  /** The pointer moves to (x, y) in element pixels. */
  mouseMove(x: number, y: number): this {
    return this.emit({ type: 'mousemove', x, y });
  }

  /** A mouse button goes down (0 left, 1 middle, 2 right). */
  mouseDown(button = 0): this {
    return this.emit({ type: 'mousedown', button });
  }

  /** A mouse button goes up. */
  mouseUp(button = 0): this {
    return this.emit({ type: 'mouseup', button });
  }

  /** The wheel scrolls. */
  wheel(dx: number, dy: number): this {
    return this.emit({ type: 'wheel', dx, dy });
  }

  /** A finger touches at (x, y). */
  touchStart(id: number, x: number, y: number): this {
    return this.emit({ type: 'touchstart', id, x, y });
  }

  /** A finger moves. */
  touchMove(id: number, x: number, y: number): this {
    return this.emit({ type: 'touchmove', id, x, y });
  }

  /** A finger lifts. */
  touchEnd(id: number): this {
    return this.emit({ type: 'touchend', id });
  }

  /** Gamepad `index` now has these buttons (0..1) and axes (-1..1); null: it is disconnected. */
  gamepad(index: number, state: { buttons?: number[]; axes?: number[] } | null): this {
    return this.emit({ type: 'gamepad', index, state: state && { buttons: state.buttons ?? [], axes: state.axes ?? [] } });
  }
}

/**
 * Listens to keyboard events on `window` and pointer, wheel and touch events on
 * `target` (usually the canvas). Coordinates are relative to the target.
 */
export class DomInputSource implements InputSource {
  private off: Array<() => void> = [];

  /** @param target element for mouse and touch; defaults to `document.body` */
  constructor(private readonly target?: HTMLElement) {}

  attach(sink: (event: RawInput) => void): void {
    const target = this.target ?? document.body;
    const listen = <K extends keyof HTMLElementEventMap>(on: Window | HTMLElement, type: K, fn: (e: HTMLElementEventMap[K]) => void) => {
      on.addEventListener(type, fn as EventListener, { passive: true });
      this.off.push(() => on.removeEventListener(type, fn as EventListener));
    };
    const local = (e: { clientX: number; clientY: number }) => {
      const r = target.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    listen(window, 'keydown', (e) => !e.repeat && sink({ type: 'keydown', code: e.code }));
    listen(window, 'keyup', (e) => sink({ type: 'keyup', code: e.code }));
    listen(window, 'blur', () => sink({ type: 'blur' }));
    listen(target, 'mousemove', (e) => sink({ type: 'mousemove', ...local(e) }));
    listen(target, 'mousedown', (e) => sink({ type: 'mousedown', button: e.button }));
    listen(window, 'mouseup', (e) => sink({ type: 'mouseup', button: e.button }));
    listen(target, 'wheel', (e) => sink({ type: 'wheel', dx: e.deltaX, dy: e.deltaY }));
    const touches = (type: 'touchstart' | 'touchmove' | 'touchend' | 'touchcancel') =>
      listen(target, type, (e) => {
        for (const t of Array.from(e.changedTouches)) {
          if (type === 'touchend' || type === 'touchcancel') sink({ type: 'touchend', id: t.identifier });
          else sink({ type, id: t.identifier, ...local(t) });
        }
      });
    touches('touchstart');
    touches('touchmove');
    touches('touchend');
    touches('touchcancel');
  }

  detach(): void {
    for (const off of this.off.splice(0)) off();
  }
}
