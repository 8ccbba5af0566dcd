/**
 * The demo game: an engine App with the LtaskPlugin. The world streams in
 * chunks from a SQLite database read page by page in a Lua service
 * (levels.lua, the sqlite native module on a carrier, each page an io read
 * with `?latency=N` ms added); NPCs are Lua services on a worker (director.lua,
 * npc.lua) that move their own entities through the world bridge on the App's
 * clock (npc-world.ts); villagers talk in ink compiled in a service; crates are an
 * OBJ packed to a GLB by gltfpack in a service. Frames never wait for any of
 * it, not even for the runtime's start: the scene renders at once under the
 * loading screen (loading.ts). The flow is the engine state `Flow`
 * (loading -> title -> playing -> won), the controls are input actions
 * (flow.ts), the sounds play through the AudioPlugin (sfx.ts). Key B switches
 * to naive blocking loaders to show the difference (blocking.ts); F3 shows the
 * runtime overlay.
 */
import {
  ActionsPlugin, App, AssetServer, AudioOutput, AudioPlugin, ClearColor, DefaultPlugins, DomInputSource, InputPlugin, Keyboard, Last, OnEnter, PreUpdate,
  RenderPlugin, StatePlugin, Startup, Transform, UiPlugin, Update, inState, registerAssetLoader, type SystemContext,
} from '@ltask-web/engine';
import { Ltask, LtaskPlugin, LtaskStats, defineReply } from '@ltask-web/plugin-ltask/engine';
import gltfpack from '../natives/gltfpack.ts?ltask-native';
import ink from '../natives/ink.ts?ltask-native';
import sqlite from '../natives/sqlite.ts?ltask-native';
import { BLOCKING_MODES, Blocking, type BlockingMode } from './blocking.ts';
import { ChunkReply, ChunkStream, animateChunks, receiveChunks, streamChunks } from './chunks.ts';
import { readConfig, softwareGL } from './config.ts';
import { Dialogue } from './dialogue.ts';
import { Controls, Flow } from './flow.ts';
import { playInput, titleInput, wonInput } from './flow-input.ts';
import { FrameWindow, recordFrame } from './frames.ts';
import { Hud, drawHud, put, showWon, spawnHud } from './hud.ts';
import { Loading, kickOff, showTitle, spawnLoading, trackLoading } from './loading.ts';
import { MODEL_PATH, packedObjLoader } from './model.ts';
import { Caught, npcWorld } from './npc-world.ts';
import { Npcs, drawNpcLabels, trackNpcs } from './npcs.ts';
import { Overlay, bindOverlay, drawOverlay, overlayControls, overlayInput, setMode, showIo } from './overlay.ts';
import { CameraRig, PlayerState, moveCamera, movePlayer, placePlayer, spawnPlayer } from './player.ts';
import {
  DirectorStartReply, DirectorTalkReply, Game, WorldReply, WorldsReply, animateGate, followPlayer, playRules, startPlaying, wonWorld, worldReplies,
} from './rules.ts';
import { Look, setupScene } from './scene.ts';
import { Sfx, startMusic } from './sfx.ts';

const config = readConfig(location.href);
const $ = (id: string) => document.getElementById(id)!;
const canvas = $('view') as HTMLCanvasElement;

// Each native module is bundled with its own carrier worker (the ltask() vite plugin).
const natives = { gltfpack, sqlite, ink };

/** game/service/*.lua, bundled as text: the runtime finds them as service/<name>.lua without a fetch. */
const gameServices: Record<string, string> = {};
for (const [path, text] of Object.entries(import.meta.glob<string>('../service/*.lua', { import: 'default', eager: true }))) {
  gameServices[`service/${path.slice(path.lastIndexOf('/') + 1)}`] = text;
}

const game = new Game();
const dialogue = new Dialogue();
const loading = new Loading();
loading.firstWorld = config.world;
const stream = new ChunkStream();
const npcs = new Npcs();
const player = new PlayerState();
const blocking = new Blocking();
blocking.latencyMs = config.latencyMs;
const overlay = new Overlay();
const frames = new FrameWindow();
let helloSpawned = 0;
/** Replies of `hello.greet`: the page's first Lua reply. */
const HelloReply = defineReply('HelloReply');

const app = new App()
  .addPlugins(
    DefaultPlugins
      .set(new RenderPlugin({ canvas, antialias: config.antialias === 'auto' ? !softwareGL() : config.antialias }))
      .set(new InputPlugin({ source: new DomInputSource(canvas) })),
    new LtaskPlugin({
      workers: 2,
      base: config.root,
      // hello.lua and game.lua (the model's packer, through the asset source) come from public/service; the rest is bundled.
      sources: gameServices,
      natives,
      io: { backend: 'fetch', root: config.root, latencyMs: config.latencyMs },
      // The plugin takes it once: the overlay shows the table at this rate.
      statsIntervalMs: 500,
      // What the NPC services see and change: Transform, Npc, the Player tag; their prefabs; Caught.
      world: npcWorld,
    }),
    new StatePlugin(Flow),
    new ActionsPlugin(Controls),
    new AudioPlugin(),
    new UiPlugin(),
  )
  .insertResource(game)
  .insertResource(new Sfx())
  .insertResource(dialogue)
  .insertResource(new Hud())
  .insertResource(loading)
  .insertResource(stream)
  .insertResource(npcs)
  .insertResource(player)
  .insertResource(new CameraRig())
  .insertResource(new Look())
  .insertResource(blocking)
  .insertResource(overlay)
  .insertResource(frames)
  .insertResource(new ClearColor(0xa9d6f5))
  // The kinds of reply the game's requests answer through, each read by its own systems.
  .addEvent(HelloReply)
  .addEvent(WorldsReply)
  .addEvent(WorldReply)
  .addEvent(DirectorStartReply)
  .addEvent(DirectorTalkReply)
  .addEvent(ChunkReply)
  .addEvent(Caught);
registerAssetLoader(app, packedObjLoader);
game.flow = app.resource(Flow);
bindOverlay(overlay);
showIo(blocking);

// Click / tap on the ground: walk there.
canvas.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  const r = canvas.getBoundingClientRect();
  player.clicks.push({ x: e.clientX - r.left, y: e.clientY - r.top });
});

app.addSystems(Startup, [
  spawnLoading,
  spawnHud,
  setupScene,
  spawnPlayer,
  startMusic,
  function greet({ resource }: SystemContext) {
    // The runtime is still starting here: this is queued and goes out once the workers are up.
    const lt = resource(Ltask);
    lt.service('hello', 'Hello').then(() => (helloSpawned = performance.now()), () => {}); // the page's first Lua reply
    lt.request(HelloReply, 'hello', 'greet', ['page']);
    lt.whenReady().then((rt) => (overlay.rt = rt), () => {});
  },
]);

app.addSystems(PreUpdate, function keys(ctx: SystemContext) {
  overlayInput(ctx, ctx.resource(Keyboard));
}, { after: 'input' });

app.addSystems(Update, [
  function firstReply(ctx: SystemContext) {
    for (const e of ctx.read(HelloReply)) {
      if (e.ok && loading.firstReplyFrame < 0) loading.firstReplyFrame = ctx.app.frame;
      if (!e.ok) loading.replyFailed = true;
      put(loading.ui.reply, { text: e.ok ? String(e.values[0]) : `error: ${e.error?.message}` });
    }
    // The page's first native result (levels.worlds reads SQLite on a carrier): when it arrived.
    for (const e of ctx.read(WorldsReply)) if (e.ok && !loading.firstNativeAt) loading.firstNativeAt = loading.worldsAskedAt + e.ms;
  },
  kickOff,
  worldReplies,
  overlayControls,
  function blockingWorker(ctx: SystemContext) {
    // `worker` mode: the blocking service, spawned once on the NPCs' worker (1).
    const lt = ctx.resource(Ltask);
    if (blocking.mode !== 'worker' || blocking.workerAddr !== null || spawningBlocking || lt.status !== 'ready') return;
    spawningBlocking = true;
    lt.runtime.spawnService({ name: 'blocking', worker_id: 1, unique: true }).then(
      (a) => (blocking.workerAddr = a),
      (e: Error) => {
        stream.lastError = `blocking service: ${e.message}`;
        spawningBlocking = false;
        blocking.mode = 'off';
      },
    );
  },
  movePlayer,
  followPlayer,
  streamChunks,
  receiveChunks,
  animateChunks,
  animateGate,
  trackNpcs,
  placePlayer,
  moveCamera,
], { chain: true });
let spawningBlocking = false;

// The flow: its input and rules run in their state, its screens show and hide on the way in and out.
const input = { after: worldReplies, before: movePlayer };
app.addSystems(Update, titleInput, { ...input, runIf: inState(Flow, 'title') });
app.addSystems(Update, wonInput, { ...input, runIf: inState(Flow, 'won') });
app.addSystems(Update, playInput, { ...input, runIf: inState(Flow, 'playing') });
app.addSystems(Update, playRules, { after: movePlayer, before: followPlayer, runIf: inState(Flow, 'playing') });
app.addSystems(OnEnter(Flow, 'title'), showTitle);
app.addSystems(OnEnter(Flow, 'playing'), startPlaying);
app.addSystems(OnEnter(Flow, 'won'), [wonWorld, showWon]);

app.addSystems(Last, [recordFrame, drawHud, drawNpcLabels, drawOverlay, trackLoading], { chain: true });

/** Sets the io latency (and bandwidth) of the io service now; resolves with the settings. */
async function configureIo(o: { latencyMs?: number; bandwidth?: number }): Promise<unknown> {
  const r = (await app.resource(Ltask).call('io', 'configure', o)) as { latencyMs: number; bandwidth: number };
  blocking.latencyMs = r.latencyMs;
  blocking.bandwidth = r.bandwidth;
  showIo(blocking);
  return r;
}

/**
 * For the console and tests (docs/demo.md lists it): `demo.state`, `demo.player`,
 * `await demo.start()`, `demo.blocking = 'main'`, `await demo.call('levels', 'ping', 1)`...
 */
const demo = {
  app,
  loading,
  /** Frames rendered so far. */
  get frames(): number {
    return app.frame;
  },
  /** The player's position (world units; tile (tx, tz) spans [tx, tx + 1)). */
  get player(): { x: number; y: number; z: number } {
    return { x: player.x, y: Transform.py[player.body] ?? 0, z: player.z };
  },
  get score(): number {
    return game.score;
  },
  get coins(): { got: number; total: number } {
    return game.coins(stream);
  },
  /** The current world: id and name, and for tests its spawn, exit, par time and size (in chunks). */
  get world(): { id: number; name: string; par?: number; spawn?: { x: number; z: number }; exit?: { x: number; z: number }; open?: boolean; chunks?: { x: number; z: number } } {
    const w = game.world;
    if (!w) return { id: game.worldId, name: '' };
    return {
      id: w.id, name: w.name, par: w.par_time, spawn: { x: w.spawn_x, z: w.spawn_z }, exit: { x: w.exit_x, z: w.exit_z }, open: game.exitOpen,
      chunks: { x: w.chunks_x, z: w.chunks_z },
    };
  },
  /** 'loading' | 'title' | 'playing' | 'won' (the `Flow` state). */
  get state(): string {
    return game.state;
  },
  /** Sounds the rules asked for (last 32), whether the page unlocked audio, the buses' volumes. */
  get sounds(): { played: string[]; unlocked: boolean; music: boolean; volumes: { sfx: number; music: number } } {
    const a = app.getResource(AudioOutput);
    const sfx = app.resource(Sfx);
    return {
      played: sfx.played.slice(), unlocked: !!a?.unlocked, music: !!a?.playing.has(sfx.music), volumes: { sfx: a?.volume('sfx') ?? 0, music: a?.volume('music') ?? 0 },
    };
  },
  /** Seconds played in this world, and the result once won. */
  get clock(): { elapsed: number; result: unknown } {
    return { elapsed: game.elapsed, result: game.result };
  },
  /** The runtime's services (rt.inspect()). */
  services: () => app.resource(Ltask).whenReady().then((rt) => rt.inspect()),
  /** Assets the page loaded through the AssetServer, with their states. */
  assets: () => {
    const server = app.resource(AssetServer);
    return [MODEL_PATH].map((path) => ({ path, state: server.getLoadState(path), error: loading.model?.error?.message }));
  },
  call: (service: string, method: string, ...args: unknown[]) => app.resource(Ltask).call(service, method, ...args),
  /** The conversation on screen, if any. */
  get dialogue(): { open: boolean; pending: boolean; name: string; lines: string[]; choices: string[]; ended: boolean; error: string } {
    const d = dialogue;
    return { open: d.open, pending: d.pending, name: d.name, lines: [...d.lines], choices: [...d.choices], ended: d.ended, error: d.error };
  },
  /** The NPCs of this world as read from their entities: `{ npcs: [{ id, name, kind, state, x, z, ticks, gap }], ticks, caught }`. */
  npcs: () => npcs.summary(),
  /** Loaded chunk keys ("cx,cz"), requests in flight, and the last loads. */
  chunks: () => ({
    loaded: [...stream.loaded.keys()], inflight: [...stream.inflight.keys()], empty: [...stream.empty], loads: stream.loads, log: stream.log.slice(),
  }),
  /** Drops every chunk: they stream in again, with the loader now on. */
  reloadChunks: () => void (stream.wantReload = true),
  /** Coins on screen (world units). */
  coinList: () => [...stream.coins()].map((c) => ({ key: c.key, x: c.x, z: c.z })),
  /** The chunk loaders: 'off' | 'main' | 'worker'. */
  get blocking(): BlockingMode {
    return blocking.mode;
  },
  set blocking(m: BlockingMode) {
    if (!BLOCKING_MODES.includes(m)) throw new Error(`blocking: one of ${BLOCKING_MODES.join(', ')}`);
    overlay.wantMode = m;
    // Applied at once too, so that a read right after sees it.
    setModeNow(m);
  },
  /** Sets the io latency (ms) of every read from now on. */
  setLatency: (ms: number) => configureIo({ latencyMs: ms }),
  setBandwidth: (bytesPerS: number) => configureIo({ bandwidth: bytesPerS }),
  /** Dismisses the title card (waits for it while loading); resolves once playing. */
  start: (timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const t0 = performance.now();
      const tick = () => {
        if (game.state === 'playing') return resolve(game.state);
        if (game.state === 'title') game.go('playing');
        if (performance.now() - t0 > timeoutMs) return reject(new Error(`demo.start: still "${game.state}" after ${timeoutMs} ms`));
        setTimeout(tick, 30);
      };
      tick();
    }),
  /** Moves the player (world units) at once, e.g. for tests. */
  teleport: (x: number, z: number) => player.place(x, z),
  /** Opens or closes the runtime overlay (F3). */
  overlay: (open = !overlay.open) => (overlay.open = open),
  /**
   * Frame intervals (ms: p50, p99, max, fps) over the last 5 s (reset when the title goes) and the
   * NPC tick figures over the same window (worst gap between two ticks, ticks per second);
   * `since` (a `performance.now()` time) keeps only what came after it.
   */
  perf: (since = 0) => ({ frame: frames.figures(since), npc: npcs.recent(since) }),
  stats: () => app.getResource(LtaskStats),
  status: () => app.resource(Ltask).status,
  timings: () => {
    const t = app.resource(Ltask).timings;
    const since = (x: number) => (x && t.start ? x - t.start : null);
    return { ...t, readyMs: since(t.ready), helloSpawnMs: since(helloSpawned), firstReplyMs: since(t.firstReply), frames: app.frame };
  },
};
(globalThis as { demo?: unknown }).demo = demo;

/** `demo.blocking = m` outside a frame: the same switch the B key makes. */
function setModeNow(m: BlockingMode): void {
  overlay.wantMode = null;
  setMode(app, m);
}

app.run().catch((e: Error) => {
  // Before the first frame the page shows its static card; after it, the loading screen's reply line.
  const line = document.getElementById('reply') ?? document.getElementById('boot-text');
  if (line) line.textContent = `error: ${e.message}`;
  console.error(e);
});
