/**
 * Audio door: sound on Web Audio. Clips load through the `AssetServer`
 * (`.wav`, `.ogg`, `.mp3`, `.m4a`, `.flac`), play once or in a loop on a bus
 * (`master`, `music`, `sfx`, or any name) with its own volume, and follow an
 * entity's `GlobalTransform` when spatial (the listener follows the camera).
 * Sound stops with the game's time: while `Time.paused` the audio context is
 * suspended.
 *
 * Browsers start audio only after a user gesture: the context is resumed on
 * the first key press, click or touch. Loops asked for before that start then;
 * one-shots asked for before that are dropped (a late "click" is worse than
 * none). Without Web Audio (Node) the calls are accepted and nothing sounds.
 * @example
 * ```ts
 * app.addPlugins(new AudioPlugin());
 * const music = resource(AssetServer).load<AudioClip>('music/theme.ogg');
 * resource(AudioOutput).play(music, { loop: true, bus: 'music' });
 * resource(AudioOutput).play(coinSound, { bus: 'sfx', at: coinEntity });
 * resource(AudioOutput).setVolume('music', 0.3);
 * ```
 * @module
 */
import { PostUpdate, type App, type Plugin } from '../app/index.ts';
import type { EntityId } from '../ecs/index.ts';
import { AssetServer, registerAssetLoader, type AssetLoader, type Handle } from '../assets/index.ts';
import { Time } from '../time/index.ts';
import { GlobalTransform } from '../transform/index.ts';

/** A sound's bytes; decoded on the audio context the first time it plays. */
export class AudioClip {
  /** The decoded buffer, once played. */
  buffer: AudioBuffer | null = null;
  constructor(readonly bytes: Uint8Array) {}

  /** A clip of mono samples (-1..1) at `rate` Hz (a 16-bit PCM WAV), for sounds made in code. */
  static fromSamples(samples: Float32Array, rate: number): AudioClip {
    const bytes = new Uint8Array(44 + samples.length * 2);
    const v = new DataView(bytes.buffer);
    const text = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
    text(0, 'RIFF');
    v.setUint32(4, 36 + samples.length * 2, true);
    text(8, 'WAVEfmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 1, true); // PCM
    v.setUint16(22, 1, true); // mono
    v.setUint32(24, rate, true);
    v.setUint32(28, rate * 2, true);
    v.setUint16(32, 2, true);
    v.setUint16(34, 16, true);
    text(36, 'data');
    v.setUint32(40, samples.length * 2, true);
    samples.forEach((x, i) => v.setInt16(44 + i * 2, Math.max(-1, Math.min(1, x)) * 0x7fff, true));
    return new AudioClip(bytes);
  }
}

/** Loads `.wav .ogg .mp3 .m4a .flac` files as `AudioClip`s. */
export const audioLoader: AssetLoader<AudioClip> = {
  name: 'audio',
  extensions: ['wav', 'ogg', 'mp3', 'm4a', 'flac'],
  load: (bytes) => new AudioClip(bytes),
};

/** How to play a clip. */
export interface PlayOptions {
  /** Play again from the start when it ends. */
  loop?: boolean;
  /** The bus (its volume applies on top; created at volume 1 on first use). Default `'sfx'`. */
  bus?: string;
  /** This playback's own volume (default 1). */
  volume?: number;
  /** Follow this entity's `GlobalTransform` (spatial sound: panned and attenuated from the listener). */
  at?: EntityId;
}

/** One playing (or waiting) sound. */
interface Playback {
  readonly id: number;
  readonly clip: AudioClip | Handle<AudioClip>;
  readonly o: PlayOptions;
  source: AudioBufferSourceNode | null;
  panner: PannerNode | null;
  stopped: boolean;
  /** Waiting for its clip's decode. */
  decoding?: boolean;
}

/** Each clip's decode, shared by its playbacks: one `decodeAudioData` and, when it fails, one console line per clip. */
const decodes = new WeakMap<AudioClip, Promise<AudioBuffer>>();

function decode(ctx: BaseAudioContext, clip: AudioClip, which: string): Promise<AudioBuffer> {
  let d = decodes.get(clip);
  if (!d) {
    d = ctx.decodeAudioData(clip.bytes.slice().buffer);
    d.catch((e: unknown) => {
      const cause = e instanceof Error ? e.message || e.name : String(e);
      console.error(`[audio] cannot decode ${which}: ${cause}`);
    });
    decodes.set(clip, d);
  }
  return d;
}

/** The audio resource (named apart from the DOM's `Audio`): play, stop, volumes. */
export class AudioOutput {
  /** Whether sound can be heard now: there is Web Audio and a user gesture unlocked it. */
  unlocked = false;
  /** Sounds playing or waiting for their clip. */
  readonly playing = new Map<number, Playback>();
  private readonly buses = new Map<string, GainNode | null>();
  private readonly volumes = new Map<string, number>([['master', 1]]);
  private nextId = 1;

  /** @param context the Web Audio context (null: none, nothing sounds) */
  constructor(readonly context: BaseAudioContext | null) {}

  /** Plays a clip (or a handle to one: it plays once loaded); returns an id for `stop`. */
  play(clip: AudioClip | Handle<AudioClip>, o: PlayOptions = {}): number {
    const p: Playback = { id: this.nextId++, clip, o, source: null, panner: null, stopped: false };
    if (!this.unlocked && !o.loop) return p.id; // before a gesture: a one-shot is dropped
    this.playing.set(p.id, p);
    this.start(p);
    return p.id;
  }

  /** Stops a sound. */
  stop(id: number): void {
    const p = this.playing.get(id);
    if (!p) return;
    p.stopped = true;
    p.source?.stop();
    this.playing.delete(id);
  }

  /** A bus's volume (0..1 or more); `master` is applied to every bus. */
  setVolume(bus: string, volume: number): void {
    this.volumes.set(bus, volume);
    const node = this.buses.get(bus);
    if (node) node.gain.value = volume;
  }

  volume(bus: string): number {
    return this.volumes.get(bus) ?? 1;
  }

  /** Starts what waits (the context was unlocked, or a clip finished loading). */
  resumeWaiting(): void {
    for (const p of this.playing.values()) if (!p.source) this.start(p);
  }

  private bus(name: string): AudioNode | null {
    const ctx = this.context;
    if (!ctx) return null;
    if (!this.buses.has('master')) {
      const master = ctx.createGain();
      master.gain.value = this.volume('master');
      master.connect(ctx.destination);
      this.buses.set('master', master);
    }
    if (name === 'master') return this.buses.get('master')!;
    let node = this.buses.get(name);
    if (!node) {
      node = ctx.createGain();
      node.gain.value = this.volume(name);
      node.connect(this.buses.get('master')!);
      this.buses.set(name, node);
    }
    return node;
  }

  private start(p: Playback): void {
    const ctx = this.context;
    if (!ctx || !this.unlocked || p.stopped) return;
    const clip = p.clip instanceof AudioClip ? p.clip : p.clip.asset;
    if (!clip) return; // the handle is loading: resumeWaiting() tries again
    if (!clip.buffer) {
      if (p.decoding) return; // settles later: start() runs again then
      p.decoding = true;
      decode(ctx, clip, p.clip instanceof AudioClip ? `a clip of ${clip.bytes.length} bytes` : `"${p.clip.path}"`).then(
        (b) => {
          clip.buffer = b;
          this.start(p);
        },
        () => {
          // Not audio the browser can decode (the console said which clip and why, once): this playback ends.
          p.stopped = true;
          this.playing.delete(p.id);
        },
      );
      return;
    }
    if (p.source) return;
    const src = ctx.createBufferSource();
    src.buffer = clip.buffer;
    src.loop = p.o.loop ?? false;
    const gain = ctx.createGain();
    gain.gain.value = p.o.volume ?? 1;
    let out: AudioNode = src;
    if (p.o.at !== undefined) {
      p.panner = ctx.createPanner();
      p.panner.panningModel = 'equalpower';
      out.connect(p.panner);
      out = p.panner;
    }
    out.connect(gain);
    gain.connect(this.bus(p.o.bus ?? 'sfx')!);
    src.onended = () => {
      if (!src.loop) this.playing.delete(p.id);
    };
    p.source = src;
    src.start();
  }

  /** Moves spatial sounds to their entities and the listener to `listener` (a world matrix's translation). */
  follow(listener: EntityId | undefined): void {
    const ctx = this.context;
    if (!ctx) return;
    const m = GlobalTransform.m;
    if (listener !== undefined) setPosition(ctx.listener, m[listener * 16 + 12]!, m[listener * 16 + 13]!, m[listener * 16 + 14]!);
    for (const p of this.playing.values()) {
      if (p.panner && p.o.at !== undefined) setPosition(p.panner, m[p.o.at * 16 + 12]!, m[p.o.at * 16 + 13]!, m[p.o.at * 16 + 14]!);
    }
  }
}

function setPosition(n: AudioListener | PannerNode, x: number, y: number, z: number): void {
  if ('positionX' in n && n.positionX) {
    n.positionX.value = x;
    n.positionY.value = y;
    n.positionZ.value = z;
  } else (n as unknown as { setPosition(x: number, y: number, z: number): void }).setPosition(x, y, z);
}

/** Options of `AudioPlugin`. */
export interface AudioPluginOptions {
  /** The context (an `OfflineAudioContext` in tests). Default: a new `AudioContext` where there is Web Audio. */
  context?: BaseAudioContext | null;
  /** The entity the listener follows (usually the camera). */
  listener?: () => EntityId | undefined;
}

/**
 * Adds the `AudioOutput` resource and the audio loader; unlocks the context on the
 * first user gesture; suspends it while `Time.paused`; moves spatial sounds
 * in `PostUpdate` (after transforms propagate).
 */
export class AudioPlugin implements Plugin {
  readonly name = 'AudioPlugin';

  constructor(private readonly options: AudioPluginOptions = {}) {}

  build(app: App): void {
    const ctx = this.options.context !== undefined ? this.options.context : typeof AudioContext === 'function' ? new AudioContext() : null;
    const audio = new AudioOutput(ctx);
    app.insertResource(audio);
    const live = ctx !== null && typeof AudioContext === 'function' && ctx instanceof AudioContext ? ctx : null;
    const unlock = () => {
      if (audio.unlocked || !ctx) return;
      audio.unlocked = true;
      void live?.resume();
      audio.resumeWaiting();
    };
    if (ctx && !live) unlock(); // an offline context needs no gesture
    if (ctx && typeof window !== 'undefined') {
      for (const type of ['keydown', 'pointerdown', 'touchstart'] as const) window.addEventListener(type, unlock, { once: true, capture: true });
      app.onExit(() => {
        for (const type of ['keydown', 'pointerdown', 'touchstart'] as const) window.removeEventListener(type, unlock, { capture: true });
        void live?.close();
      });
    }
    const listener = this.options.listener;
    let paused = false;
    app.addSystems(PostUpdate, function moveAudio({ getResource }) {
      const time = getResource(Time);
      if (live && time && time.paused !== paused) {
        paused = time.paused;
        void (paused ? live.suspend() : live.resume());
      }
      audio.resumeWaiting();
      audio.follow(listener?.());
    }, { after: 'transform.propagate', inSet: 'audio' });
  }

  finish(app: App): void {
    // Other plugins are built now: the loader goes to the AssetServer if there is one.
    if (app.hasResource(AssetServer)) registerAssetLoader(app, audioLoader);
  }
}

declare module '../assets/types.ts' {
  interface AssetTypeMap {
    wav: AudioClip;
    ogg: AudioClip;
    mp3: AudioClip;
    m4a: AudioClip;
    flac: AudioClip;
  }
}
