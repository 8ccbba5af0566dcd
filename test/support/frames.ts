/**
 * Frames of the page a browser test runs in: how many, and the longest
 * interval between two (`requestAnimationFrame`). A main thread that waited
 * for something shows as an interval at least that long; a busy machine
 * stretches intervals, but not to a wait of hundreds of ms.
 */
export function frameGaps(): { start(): void; stop(): { frames: number; maxGapMs: number } } {
  let frames = 0;
  let maxGapMs = 0;
  let last = 0;
  let counting = false;
  const tick = (t: number) => {
    if (!counting) return;
    if (frames > 0) maxGapMs = Math.max(maxGapMs, t - last);
    last = t;
    frames++;
    requestAnimationFrame(tick);
  };
  return {
    start() {
      counting = true;
      requestAnimationFrame(tick);
    },
    stop() {
      counting = false;
      // The interval still open counts too: a page stuck since its last frame shows here.
      if (frames > 0) maxGapMs = Math.max(maxGapMs, performance.now() - last);
      return { frames, maxGapMs };
    },
  };
}
