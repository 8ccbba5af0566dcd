/** The input devices as resources: keyboard, mouse and touch (gamepads: gamepad.ts). */
import { ButtonInput } from './button.ts';

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
