/**
 * Progress of long codec work. The watchdog replaces a worker whose thread has
 * not come back to its loop for `watchdogMs`; encoding or decoding one message
 * is finite work (bounded by `maxMessageBytes`) that can take seconds for a
 * large one. So the codec counts the values of the message it is on and, every
 * {@link PROGRESS_VALUES} of them, calls the thread's progress hook: a
 * scheduler worker answers the watchdog's ping there. A message of fewer values
 * never calls it, so a handler that loops forever sending small messages still
 * looks frozen.
 */

/** Values of one message between two calls of the progress hook. */
export const PROGRESS_VALUES = 8192;

let hook: (() => void) | null = null;
let left = PROGRESS_VALUES;

/** Sets this thread's progress hook (null: none). */
export function setCodecProgress(f: (() => void) | null): void {
  hook = f;
}

/** A message starts: its values are counted from zero. */
export function beginValues(): void {
  left = PROGRESS_VALUES;
}

/** One more value of the current message (cheap: a decrement, a call every {@link PROGRESS_VALUES}). */
export function countValue(): void {
  if (--left === 0) {
    left = PROGRESS_VALUES;
    hook?.();
  }
}
