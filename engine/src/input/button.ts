/**
 * Pressed / just pressed / just released state for any kind of button
 * (bevy `ButtonInput<T>`).
 */

/**
 * Button state for one device. `justPressed` and `justReleased` hold for the
 * frame in which the change was seen, then clear.
 * @example
 * ```ts
 * const keys = resource(Keyboard);
 * if (keys.justPressed('Space')) jump();
 * if (keys.pressed('ArrowLeft')) moveLeft();
 * ```
 */
export class ButtonInput<T> {
  private readonly down = new Set<T>();
  private readonly pressedNow = new Set<T>();
  private readonly releasedNow = new Set<T>();

  /** Marks a button down (a repeat while held is ignored). */
  press(button: T): void {
    if (!this.down.has(button)) {
      this.down.add(button);
      this.pressedNow.add(button);
    }
  }

  /** Marks a button up. */
  release(button: T): void {
    if (this.down.delete(button)) this.releasedNow.add(button);
  }

  /** Releases every held button (e.g. when the window loses focus). */
  releaseAll(): void {
    for (const b of [...this.down]) this.release(b);
  }

  /** Whether the button is held. */
  pressed(button: T): boolean {
    return this.down.has(button);
  }

  /** Whether the button went down this frame. */
  justPressed(button: T): boolean {
    return this.pressedNow.has(button);
  }

  /** Whether the button went up this frame. */
  justReleased(button: T): boolean {
    return this.releasedNow.has(button);
  }

  /** Whether any of the buttons is held. */
  anyPressed(buttons: Iterable<T>): boolean {
    for (const b of buttons) if (this.down.has(b)) return true;
    return false;
  }

  /** Buttons held now. */
  getPressed(): T[] {
    return [...this.down];
  }

  /** Buttons that went down this frame. */
  getJustPressed(): T[] {
    return [...this.pressedNow];
  }

  /** Starts a new frame: forgets the just-pressed / just-released marks. */
  clearJust(): void {
    this.pressedNow.clear();
    this.releasedNow.clear();
  }
}
