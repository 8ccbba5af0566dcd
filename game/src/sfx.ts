/**
 * The demo's sounds, made in code as WAV bytes (no files) and played through
 * the engine's `AudioOutput`: blips for a coin, being caught, the gate opening
 * and a win on bus `sfx`, and a quiet looping tune on bus `music`. Silent until
 * the page has had a key press or tap (the AudioPlugin unlocks on it); paused
 * with the game (`Time.paused`).
 */
import { AudioClip, AudioOutput, type SystemContext } from '@ltask-web/engine';

const RATE = 22050;
type Wave = 'square' | 'sawtooth' | 'triangle';

/** One period's value at phase `t` (0..1). */
function wave(type: Wave, t: number): number {
  if (type === 'square') return t < 0.5 ? 1 : -1;
  if (type === 'sawtooth') return 2 * t - 1;
  return 1 - 4 * Math.abs(t - 0.5);
}

/** Notes one after another, `step` seconds apart, each ringing for `step * 1.8` with a fast attack. */
export function tones(freqs: readonly number[], step: number, type: Wave, gain: number, length = (freqs.length + 1) * step): Float32Array {
  const out = new Float32Array(Math.ceil(length * RATE));
  freqs.forEach((f, i) => {
    const start = Math.floor(i * step * RATE);
    const ring = Math.floor(step * 1.8 * RATE);
    for (let n = 0; n < ring && start + n < out.length; n++) {
      const t = n / RATE;
      const env = t < 0.01 ? t / 0.01 : Math.exp(-((t - 0.01) / (step * 1.8)) * 9.2);
      out[start + n]! += wave(type, (t * f) % 1) * gain * env;
    }
  });
  return out;
}

/** A clip of the samples (-1..1) at the demo's rate. */
export const clip = (samples: Float32Array): AudioClip => AudioClip.fromSamples(samples, RATE);

export type SoundName = 'coin' | 'caught' | 'open' | 'win';

/** A slow arpeggio over four chords, 8 s, played looping and quietly. */
function tune(): Float32Array {
  const chords = [[262, 330, 392, 523], [220, 262, 330, 440], [175, 220, 262, 349], [196, 247, 294, 392]];
  return tones(chords.flatMap((c) => [...c, ...c.slice(1, 3).reverse()]), 8 / 24, 'triangle', 0.2, 8);
}

/** The clips (made once), and the music's playback. */
export class Sfx {
  readonly clips: Record<SoundName, AudioClip> = {
    coin: clip(tones([988, 1319], 0.07, 'square', 0.3)),
    caught: clip(tones([330, 247, 165], 0.12, 'sawtooth', 0.35)),
    open: clip(tones([523, 659, 784, 1047], 0.09, 'triangle', 0.5)),
    win: clip(tones([523, 659, 784, 1047, 1319], 0.11, 'triangle', 0.55)),
  };
  /** Sounds asked for, by name (for tests: `demo.sounds`). */
  readonly played: SoundName[] = [];
  music = -1;

  /** Plays a blip on bus `sfx`. */
  play(ctx: SystemContext, name: SoundName): void {
    this.played.push(name);
    if (this.played.length > 32) this.played.shift();
    ctx.getResource(AudioOutput)?.play(this.clips[name], { bus: 'sfx' });
  }
}

/** Startup: bus volumes, and the tune looping on bus `music` (it starts once the page is unlocked). */
export function startMusic(ctx: SystemContext): void {
  const audio = ctx.getResource(AudioOutput);
  if (!audio) return;
  audio.setVolume('sfx', 0.5);
  audio.setVolume('music', 0.12);
  ctx.resource(Sfx).music = audio.play(clip(tune()), { bus: 'music', loop: true });
}
