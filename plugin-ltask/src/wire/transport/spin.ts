/**
 * Polling that makes no garbage. Each `performance.now()` returns a new heap
 * number (the call goes through the engine's host API), so a loop that reads
 * the clock on every poll allocated about 20 MB a second here and ran a
 * scavenge every few milliseconds of spinning; a scavenge that lands while a
 * message arrives delays it by 0.4-7 ms, on both ends of a call. These loops
 * read the clock once every `polls` checks.
 */

/**
 * Calls `ready` until it returns true (then true) or `ms` have passed (then
 * false), reading the clock once every `polls` calls.
 * @example
 * ```ts
 * if (pollFor(0.05, () => Atomics.load(i32, 0) !== seen)) handle();
 * ```
 */
export function pollFor(ms: number, ready: () => boolean, polls = 64): boolean {
  const end = performance.now() + ms;
  for (;;) {
    for (let k = 0; k < polls; k++) if (ready()) return true;
    if (performance.now() >= end) return false;
  }
}
