/** A sine tone as WAV bytes, built in the test (no file to ship). */
import { AudioClip } from '@ltask-web/engine';

export function sineWav(hz: number, seconds: number, rate = 22050): Uint8Array {
  const samples = new Float32Array(Math.floor(seconds * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin((2 * Math.PI * hz * i) / rate) * 0.5;
  return AudioClip.fromSamples(samples, rate).bytes;
}
