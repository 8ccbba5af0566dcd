// Audio without Web Audio (Node): the API is there and plays nothing; clips load through the AssetServer.
import { describe, expect, it } from 'vitest';
import { App, AssetPlugin, AssetServer, AudioClip, AudioOutput, AudioPlugin, MemoryReader, MinimalPlugins } from '@ltask-web/engine';
import { sineWav } from './wav.ts';

describe('audio without Web Audio', () => {
  it('loads .wav as an AudioClip; play and stop are accepted and nothing sounds', async () => {
    const bytes = sineWav(440, 0.1);
    const app = new App().addPlugins(MinimalPlugins, new AssetPlugin({ reader: new MemoryReader({ 'beep.wav': bytes }) }), new AudioPlugin());
    await app.ready();
    const audio = app.resource(AudioOutput);
    expect(audio.context).toBeNull();
    const h = app.resource(AssetServer).load('beep.wav');
    const clip = await h.loaded();
    expect(clip).toBeInstanceOf(AudioClip);
    expect(clip.bytes.length).toBe(bytes.length);
    expect(audio.unlocked).toBe(false);
    const id = audio.play(h, { loop: true, bus: 'music' });
    app.update(1 / 60);
    audio.stop(id);
    expect(audio.playing.size).toBe(0);
  });
});
