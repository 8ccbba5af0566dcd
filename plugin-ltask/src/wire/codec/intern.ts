/**
 * The short strings of a large payload, made once per distinct string: the
 * keys of a list of records ("id", "name") come back as one string each
 * instead of one per record (and fengari hashes a Lua string once). A
 * direct-mapped cache of where each slot's bytes are in the payload; the
 * decoder keeps the strings themselves by slot.
 */

/** Payloads smaller than this decode their strings as they come. */
export const INTERN_FROM = 16 * 1024;
/** Longer strings are decoded as they come. */
export const INTERN_BYTES = 24;
export const INTERN_SLOTS = 1024;

export class ShortStrings {
  private gen = 0;
  private readonly stamp = new Int32Array(INTERN_SLOTS);
  private readonly at = new Int32Array(INTERN_SLOTS);
  private readonly len = new Int32Array(INTERN_SLOTS);

  /** A new payload: every slot is empty. */
  begin(): void {
    if (++this.gen === 0x7fffffff) {
      this.gen = 1;
      this.stamp.fill(0);
    }
  }

  /** The slot of the `n` bytes at `b[p]`: itself when it holds them (made earlier in this payload), `~slot` when not. */
  find(b: Uint8Array, p: number, n: number): number {
    let h = n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[p + i]!, 0x01000193);
    const slot = (h ^ (h >>> 13)) & (INTERN_SLOTS - 1);
    if (this.stamp[slot] !== this.gen || this.len[slot] !== n) return ~slot;
    const q = this.at[slot]!;
    for (let i = 0; i < n; i++) if (b[p + i] !== b[q + i]) return ~slot;
    return slot;
  }

  /** Slot `slot` now holds the `n` bytes at `p`. */
  keep(slot: number, p: number, n: number): void {
    this.stamp[slot] = this.gen;
    this.at[slot] = p;
    this.len[slot] = n;
  }
}
