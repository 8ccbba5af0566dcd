// Audio on Web Audio, proven by rendering it: an OfflineAudioContext renders
// what the plugin played, and the samples say whether sound was produced.
import { describe, expect, it, vi } from 'vitest';
import { App, AssetPlugin, AssetServer, AudioClip, AudioOutput, AudioPlugin, MemoryReader, MinimalPlugins, Time, spawn, transform, type Plugin } from '@ltask-web/engine';
import { sineWav } from './wav.ts';

const RATE = 22050;

/** Plays through the App for a few frames, then renders one second; the RMS of the output. */
async function render(setup: (audio: AudioOutput, app: App) => void, plugins: Plugin[] = []): Promise<number> {
  const ctx = new OfflineAudioContext(1, RATE, RATE);
  const app = new App().addPlugins(MinimalPlugins, ...plugins, new AudioPlugin({ context: ctx }));
  await app.ready();
  const audio = app.resource(AudioOutput);
  setup(audio, app);
  // Frames until every sound asked for has started (decodeAudioData settles), at most 4 s.
  for (let i = 0; i < 200; i++) {
    app.update(1 / 60);
    if ([...audio.playing.values()].every((p) => p.source !== null)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const out = (await ctx.startRendering()).getChannelData(0);
  let sum = 0;
  for (const x of out) sum += x * x;
  return Math.sqrt(sum / out.length);
}

describe('audio (Web Audio, rendered offline)', () => {
  it('a one-shot clip produces sound; a muted bus or master produces none', async () => {
    const clip = () => new AudioClip(sineWav(440, 0.5, RATE));
    const loud = await render((a) => a.play(clip(), { bus: 'sfx' }));
    expect(loud).toBeGreaterThan(0.1); // a 0.5-amplitude sine for half the second
    const muted = await render((a) => {
      a.setVolume('sfx', 0);
      a.play(clip(), { bus: 'sfx' });
    });
    expect(muted).toBe(0);
    const master = await render((a) => {
      a.setVolume('master', 0);
      a.play(clip(), { bus: 'music', loop: true });
    });
    expect(master).toBe(0);
    const half = await render((a) => a.play(clip(), { bus: 'sfx', volume: 0.5 }));
    expect(half / loud).toBeCloseTo(0.5, 1);
  });

  it('a spatial sound follows its entity: panned to the side it is on', async () => {
    // Two channels: a sound on the listener's right is louder in the right channel.
    const ctx = new OfflineAudioContext(2, RATE, RATE);
    const app = new App().addPlugins(MinimalPlugins, new AudioPlugin({ context: ctx, listener: () => ear }));
    const ear = spawn(app.world, transform({ position: [0, 0, 0] }));
    const source = spawn(app.world, transform({ position: [-5, 0, 0] }));
    const audio = app.resource(AudioOutput);
    audio.play(new AudioClip(sineWav(440, 1, RATE)), { loop: true, at: source });
    for (let i = 0; i < 200 && ![...audio.playing.values()].every((p) => p.source !== null); i++) {
      app.update(1 / 60);
      await new Promise((r) => setTimeout(r, 20));
    }
    app.update(1 / 60); // the panner takes the entity's world position (after propagation)
    const out = await ctx.startRendering();
    const rms = (c: Float32Array) => Math.sqrt(c.reduce((a, x) => a + x * x, 0) / c.length);
    const left = rms(out.getChannelData(0));
    const right = rms(out.getChannelData(1));
    expect(left).toBeGreaterThan(right * 1.5); // it stands at x = -5: the left
  });

  it('a loop keeps sounding to the end of the render; a stopped sound does not', async () => {
    const looped = await render((a) => a.play(new AudioClip(sineWav(440, 0.1, RATE)), { loop: true }));
    expect(looped).toBeGreaterThan(0.3); // the whole second, not 0.1 s of it
    const stopped = await render((a, app) => {
      const id = a.play(new AudioClip(sineWav(440, 0.1, RATE)), { loop: true });
      app.update(1 / 60);
      a.stop(id);
    });
    expect(stopped).toBe(0);
    void Time;
  });

  it('a clip that is not audio: the console names it and the cause, once; the other clips still play; nothing throws', async () => {
    const text = 'not audio, only text\n'.repeat(20);
    const reader = new MemoryReader({ 'sfx/broken.wav': text, 'sfx/beep.wav': sineWav(440, 0.5, RATE) });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const uncaught: unknown[] = [];
    const onError = (e: ErrorEvent) => void uncaught.push(e.error ?? e.message);
    const onRejection = (e: PromiseRejectionEvent) => void uncaught.push(e.reason);
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onRejection);
    try {
      let audio!: AudioOutput;
      const loud = await render((a, app) => {
        audio = a;
        const assets = app.resource(AssetServer);
        const broken = assets.load<AudioClip>('sfx/broken.wav'); // a handle: named by its path
        a.play(broken, { loop: true });
        a.play(broken, { bus: 'music', loop: true }); // the same clip again: one decode, one line
        a.play(new AudioClip(new TextEncoder().encode(text)), { loop: true }); // bytes: named by their length
        a.play(assets.load<AudioClip>('sfx/beep.wav'), { loop: true });
      }, [new AssetPlugin({ reader })]);
      // The good clip sounds (a 0.5-amplitude sine for the whole second); the broken ones are gone.
      expect(loud).toBeGreaterThan(0.3);
      expect([...audio.playing.values()].map((p) => (p.clip instanceof AudioClip ? 'bytes' : p.clip.path))).toEqual(['sfx/beep.wav']);
      const lines = spy.mock.calls.map((c) => c.map(String).join(' '));
      console.log(`[audio] decode failures as reported: ${JSON.stringify(lines)}`);
      // The cause is the browser's own reason for these bytes.
      const cause = await new OfflineAudioContext(1, RATE, RATE).decodeAudioData(new TextEncoder().encode(text).buffer).then(
        () => 'decoded',
        (e: Error) => e.message || e.name,
      );
      expect(cause).not.toBe('decoded');
      expect(cause.length).toBeGreaterThan(0);
      expect(lines.sort()).toEqual([`[audio] cannot decode "sfx/broken.wav": ${cause}`, `[audio] cannot decode a clip of ${text.length} bytes: ${cause}`]);
      // Played again, the good clip still sounds, and the broken one fails the same way without throwing.
      const again = await render((a) => {
        a.play(new AudioClip(new TextEncoder().encode(text)));
        a.play(new AudioClip(sineWav(440, 0.5, RATE)));
      });
      expect(again).toBeGreaterThan(0.1);
      expect(spy.mock.calls).toHaveLength(3);
      expect(uncaught).toEqual([]);
    } finally {
      spy.mockRestore();
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onRejection);
    }
  });
});
