/**
 * The playable demo: an engine App with the LtaskPlugin. Gameplay requests go
 * to Lua services (public/service/game.lua orchestrating game/service/*.lua),
 * whose native modules (sqlite, gltfpack, ink) read through the io service
 * with `?latency=N` ms added per read. Frames never wait for any of it, not
 * even for the runtime's start: the scene renders at once under a loading
 * overlay (game/src/loading.ts) that follows the start, the first Lua reply
 * and the scene's assets. Without cross-origin isolation the scene still runs
 * and the page says which headers to set.
 */
import {
  App, AssetServer, DefaultPlugins, Keyboard, Last, PreUpdate, RenderPlugin, Startup, Update, query, registerAssetLoader,
  sceneRoot, setPosition, spawn, transform, ClearColor, Transform, type Handle, type GltfAsset, type SystemContext,
} from '@ltask-web/engine';
import { Ltask, LtaskEvent, LtaskPlugin, LtaskStats } from '@ltask-web/plugin-ltask/engine';
import gltfpack from '../natives/gltfpack.ts?ltask-native';
import ink from '../natives/ink.ts?ltask-native';
import sqlite from '../natives/sqlite.ts?ltask-native';
import { Actions, Waits, ask, recordWaits } from './actions.ts';
import { readConfig } from './config.ts';
import { Dialogue } from './dialogue.ts';
import { HudState, bindHud, drawHud } from './hud.ts';
import { LevelGrid, applyLevel, type LevelRow } from './level.ts';
import { Loading, trackLoading } from './loading.ts';
import { MODEL_PATH, packedObjLoader } from './model.ts';
import { GroundTexture, Player, applyGroundTexture, followPlayer, movePlayer, setupWorld, spinMarker } from './world.ts';

const config = readConfig(location.href);
const $ = (id: string) => document.getElementById(id)!;
$('isolated').textContent = String(globalThis.crossOriginIsolated);
$('latency-now').textContent = `${config.latencyMs} ms`;
for (const a of document.querySelectorAll<HTMLAnchorElement>('#latency a')) {
  if (Number(a.dataset.ms) === config.latencyMs) a.classList.add('on');
}

// Each native module is bundled with its own carrier worker (the ltask() vite plugin).
const natives = { gltfpack, sqlite, ink };

/** game/service/*.lua, bundled as text: the runtime finds them as service/<name>.lua without a fetch. */
const gameServices: Record<string, string> = {};
for (const [path, text] of Object.entries(import.meta.glob<string>('../service/*.lua', { import: 'default', eager: true }))) {
  gameServices[`service/${path.slice(path.lastIndexOf('/') + 1)}`] = text;
}

const actions = new Actions();
const dialogue = new Dialogue();
const loading = new Loading();
let helloSpawned = 0;
const app = new App()
  .addPlugins(
    DefaultPlugins.set(new RenderPlugin({ canvas: $('view') as HTMLCanvasElement, antialias: !new URL(location.href).searchParams.has('noaa') })),
    LtaskPlugin({
      workers: 2,
      base: config.root,
      // game.lua and hello.lua are fetched from public/service; levels, packer and dialogue come bundled.
      sources: gameServices,
      natives,
      io: { backend: 'fetch', root: config.root, latencyMs: config.latencyMs },
      statsIntervalMs: 200,
    }),
  )
  .insertResource(actions)
  .insertResource(dialogue)
  .insertResource(new Waits())
  .insertResource(new LevelGrid())
  .insertResource(new HudState())
  .insertResource(loading)
  .insertResource(new GroundTexture())
  .insertResource(new ClearColor(0x1d2d44));
registerAssetLoader(app, packedObjLoader);
bindHud(actions, dialogue);

/** The packed model's handle and entity. */
class ModelSlot {
  handle: Handle<GltfAsset> | null = null;
  entity: number | null = null;
}
app.insertResource(new ModelSlot());

app.addSystems(Startup, [
  setupWorld,
  function greet({ resource }: SystemContext) {
    // The runtime is still starting here: these are queued and go out once the workers are up.
    const lt = resource(Ltask);
    const quiet = () => {}; // an unavailable runtime is reported once, on the page
    lt.service('hello', 'Hello').then(() => (helloSpawned = performance.now()), quiet); // the page's first Lua reply
    lt.request('hello', 'greet', ['page'], { tag: 'hello' });
    // game (which spawns levels, packer and dialogue: they show in the table) starts
    // once the greeting is answered (applyReplies), so that it does not wait behind them.
  },
]);

app.addSystems(PreUpdate, function keysToActions({ resource }: SystemContext) {
  const keys = resource(Keyboard);
  if (keys.justPressed('KeyL')) actions.push('level');
  if (keys.justPressed('KeyP')) actions.push('model');
  if (keys.justPressed('KeyT')) actions.push('dialogue');
  if (keys.justPressed('Digit1')) dialogue.choose(0);
  if (keys.justPressed('Digit2')) dialogue.choose(1);
}, { after: 'input' });

app.addSystems(Update, [
  function startRequests(ctx: SystemContext) {
    const waits = ctx.resource(Waits);
    if (actions.take('level') && !waits.open.has('level')) ask(ctx, 'level', 'level', [1]);
    if (actions.take('dialogue') && !waits.open.has('dialogue')) ask(ctx, 'dialogue', 'dialogue');
    if (actions.take('model')) {
      const slot = ctx.resource(ModelSlot);
      if (!slot.handle || slot.handle.state === 'failed') {
        slot.handle?.drop();
        slot.handle = ctx.resource(AssetServer).load<GltfAsset>(MODEL_PATH);
        waits.begin('model', ctx.app.frame);
        ctx.resource(HudState).model = 'packing (gltfpack in a service)...';
      }
    }
  },
  function applyReplies(ctx: SystemContext) {
    const hud = ctx.resource(HudState);
    const waits = ctx.resource(Waits);
    for (const e of ctx.read(LtaskEvent)) {
      if (e.tag === 'hello') {
        const unavailable = ctx.resource(Ltask).status === 'unavailable';
        hud.reply = e.ok ? String(e.values[0]) : unavailable ? 'none: the runtime is unavailable' : `error: ${e.error?.message}`;
        if (e.ok && loading.firstReplyFrame < 0) loading.firstReplyFrame = ctx.app.frame;
        if (!e.ok) loading.replyFailed = true;
        if (!unavailable) ctx.resource(Ltask).service('game').catch(() => {});
      }
      if (e.tag === 'level' || e.tag === 'dialogue') waits.end(e.tag, ctx.app.frame);
      if (!e.ok) {
        if (ctx.resource(Ltask).status !== 'unavailable') hud.error = `${e.tag}: ${e.error?.message ?? 'failed'}`;
        continue;
      }
      if (e.tag === 'level') {
        applyLevel(ctx, e.values[0] as LevelRow);
        for (const p of query(ctx.world, [Player])) setPosition(p, 0, Transform.py[p]!, 0);
      } else if (e.tag === 'dialogue') {
        dialogue.start(String(e.values[0]));
      }
    }
  },
  function placeModel(ctx: SystemContext) {
    const slot = ctx.resource(ModelSlot);
    const h = slot.handle;
    if (!h || slot.entity !== null || h.state === 'loading' || h.state === 'notLoaded') return;
    ctx.resource(Waits).end('model', ctx.app.frame);
    const hud = ctx.resource(HudState);
    if (h.state === 'failed') {
      hud.model = 'failed';
      hud.error = `model: ${h.error?.message}`;
      return;
    }
    slot.entity = spawn(ctx.world, sceneRoot(h), transform({ position: [1.8, 0.3, -3], scale: 1.2 }));
    let meshes = 0;
    h.asset!.scene.traverse((o) => void ((o as { isMesh?: boolean }).isMesh && meshes++));
    hud.model = `in the scene: ${meshes} meshes (GLB packed by gltfpack, meshopt-decoded)`;
    document.body.dataset.model = 'loaded';
    document.body.dataset.modelMeshes = String(meshes);
  },
  applyGroundTexture,
  movePlayer,
  followPlayer,
  spinMarker,
], { chain: true });

app.addSystems(Last, [recordWaits, drawHud, trackLoading]);

/**
 * For the console and tests: `await demo.call('levels', 'ping', 1)`;
 * `demo.timings()`: the runtime's start in ms (also on `document.body.dataset`).
 */
(globalThis as { demo?: unknown }).demo = {
  app,
  loading,
  stats: () => app.getResource(LtaskStats),
  status: () => app.resource(Ltask).status,
  call: (service: string, method: string, ...args: unknown[]) => app.resource(Ltask).call(service, method, ...args),
  timings: () => {
    const t = app.resource(Ltask).timings;
    const since = (x: number) => (x && t.start ? x - t.start : null);
    return { ...t, readyMs: since(t.ready), helloSpawnMs: since(helloSpawned), firstReplyMs: since(t.firstReply), frames: app.frame };
  },
};

app.run().catch((e: Error) => {
  $('reply').textContent = `error: ${e.message}`;
  $('error').textContent = e.message;
  console.error(e);
});
