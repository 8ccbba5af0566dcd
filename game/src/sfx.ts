/** Tiny WebAudio blips (no files): coin, caught, gate open, win. Silent until the page has had a key press or tap. */
let ctx: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    return ctx.state === 'running' ? ctx : null;
  } catch {
    return null;
  }
}

function tone(freqs: number[], step: number, type: OscillatorType, gain = 0.08): void {
  const a = audio();
  if (!a) return;
  const t0 = a.currentTime;
  freqs.forEach((f, i) => {
    const o = a.createOscillator();
    const g = a.createGain();
    o.type = type;
    o.frequency.value = f;
    const t = t0 + i * step;
    g.gain.setValueAtTime(0, t);
    g.gain.linearRampToValueAtTime(gain, t + 0.01);
    g.gain.exponentialRampToValueAtTime(0.0001, t + step * 1.8);
    o.connect(g).connect(a.destination);
    o.start(t);
    o.stop(t + step * 2);
  });
}

export const sfx = {
  /** Call from a user gesture: lets the audio start. */
  unlock: () => void audio(),
  coin: () => tone([988, 1319], 0.07, 'square', 0.05),
  caught: () => tone([330, 247, 165], 0.12, 'sawtooth', 0.06),
  open: () => tone([523, 659, 784, 1047], 0.09, 'triangle', 0.08),
  win: () => tone([523, 659, 784, 1047, 1319], 0.11, 'triangle', 0.09),
};
