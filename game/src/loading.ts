/**
 * The loading screen and the title card, UI nodes (the engine's UiPlugin):
 * real progress while the App already renders and runs its systems behind it.
 * Until the App's first frame the page shows index.html's static `#boot`
 * card; `spawnLoading` (Startup) replaces it with the `#loading` screen.
 *
 * Steps, each with its share of the bar: the page's scripts ran (5%), the
 * ltask runtime started (workers up, 30%), the first Lua reply (hello.lua,
 * 10%), the world's row (`levels.world`, 10%), its NPCs (`director.start`,
 * 10%), the crate model packed by gltfpack in a service (15%, first world
 * only), the chunks around the spawn (20%, by count). Then the title card shows
 * the world's name and intro until Enter / pad A / its start button. When the runtime is
 * `unavailable` (e.g. the page is not cross-origin isolated) the screen goes
 * and `#runtime-error` says why, with the headers to set.
 *
 * For tests the overlay carries `data-state` (`loading` | `done` |
 * `unavailable` | `failed`), `data-progress` (0-100), `data-step`, one
 * `data-<step>` per step (`waiting` | `active` | `done` | `failed`) and
 * `data-chunk-count` (chunks in / needed around the spawn); `document.body.dataset` gets the start-up figures
 * (`runtimeReadyMs`, `firstReplyMs`: ms from the LtaskPlugin's start;
 * `runtimeReadyAt`, `firstReplyAt`, `firstNativeAt` (the answer of
 * `levels.worlds`, SQLite on a carrier): ms from page start;
 * `framesAtRuntimeReady`, `framesAtFirstReply`, `loadedMs`).
 */
import { AssetServer, Ui, stateScoped, type EntityId, type GltfAsset, type Handle, type SystemContext, type World } from '@ltask-web/engine';
import { Ltask } from '@ltask-web/plugin-ltask/engine';
import { ChunkStream, NEED_RING } from './chunks.ts';
import { Flow } from './flow.ts';
import { SCREEN, clock, node, put, show } from './hud.ts';
import { MODEL_PATH } from './model.ts';
import { Game, WorldsReply, beginWorld, type StepState } from './rules.ts';

/** One line of the progress history (for the console and tests). */
export interface LoadingMark {
  /** `performance.now()`. */
  t: number;
  frame: number;
  progress: number;
  step: string;
}

type Step = 'runtime' | 'reply' | 'world' | 'npcs' | 'model' | 'chunks';
const STEP_NAMES: Record<Step, string> = {
  runtime: 'Runtime: workers and Lua VMs up',
  reply: 'First Lua reply (hello.lua)',
  world: 'World from levels.db (SQLite in a service)',
  npcs: 'NPC services started (director.lua)',
  model: 'Crate model packed (gltfpack in a service)',
  chunks: 'Chunks around the spawn',
};
const SHARE: Record<Step | 'page', number> = { page: 5, runtime: 30, reply: 10, world: 10, npcs: 10, model: 15, chunks: 20 };

/** What the loading screen shows; systems fill it, `trackLoading` draws it. */
export class Loading {
  /** Frame at which the first Lua reply was delivered (-1: not yet). */
  firstReplyFrame = -1;
  /** Set when the first request failed although the runtime is up. */
  replyFailed = false;
  /** When `levels.worlds` was asked (`performance.now()`; 0: not yet). */
  worldsAskedAt = 0;
  /** When its answer, the page's first native result (SQLite on a carrier), arrived (0: not yet). */
  firstNativeAt = 0;
  /** Frame at which the runtime was seen ready (or unavailable). */
  runtimeFrame = -1;
  state: 'loading' | 'done' | 'unavailable' | 'failed' = 'loading';
  /** 0 to 100. */
  progress = 0;
  /** How the bar moved in this load: one mark per change of step or of whole percent. */
  readonly history: LoadingMark[] = [];
  /** The screen's text line. */
  text = '';
  /** The packed crate model (the AssetServer, through the ltask asset source). */
  model: Handle<GltfAsset> | null = null;
  /** Which world load is shown (Game.load.seq). */
  seq = 0;
  /** The world to start with (`?world=N`). */
  firstWorld = 1;
  /** When the faded-out screen leaves the layout (`performance.now()`; 0: not leaving). */
  hideAt = 0;
  /** The screen's nodes. */
  ui = { screen: -1, title: -1, percent: -1, bar: -1, text: -1, reply: -1, steps: {} as Record<Step, EntityId> };
}

let lastDrawn = '';
const $ = (id: string) => document.getElementById(id);

/** Startup: the loading screen's nodes, in place of the page's static card. */
export function spawnLoading({ world, resource }: SystemContext): void {
  const u = resource(Loading).ui;
  u.screen = node(world, null, {
    kind: 'panel', id: 'loading', className: 'screen', data: { state: 'loading', progress: '0', step: 'page' },
    style: SCREEN,
  });
  const card = node(world, u.screen, { kind: 'panel', className: 'card' });
  const head = node(world, card, { kind: 'panel', className: 'title', style: { direction: 'row', justify: 'space-between' } });
  u.title = node(world, head, { kind: 'text', id: 'loading-title', text: 'ltask web demo' });
  u.percent = node(world, head, { kind: 'text', id: 'loading-percent', text: '5%' });
  u.bar = node(world, card, { kind: 'progress', className: 'bar', value: 0.05 });
  u.text = node(world, card, { kind: 'text', id: 'loading-text', text: 'Starting...' });
  for (const step of Object.keys(STEP_NAMES) as Step[]) {
    u.steps[step] = node(world, card, { kind: 'text', className: 'step', text: STEP_NAMES[step], data: { step, status: 'waiting' } });
  }
  u.reply = node(world, card, { kind: 'text', id: 'reply', text: '' });
  $('boot')?.remove();
}

/** Update: after the first Lua reply, starts the first world, the world count and the crate model. */
export function kickOff(ctx: SystemContext): void {
  const loading = ctx.resource(Loading);
  const game = ctx.resource(Game);
  if (game.begun || loading.firstReplyFrame < 0) return;
  const lt = ctx.resource(Ltask);
  loading.worldsAskedAt = performance.now();
  lt.request(WorldsReply, 'levels', 'worlds');
  const handle = ctx.resource(AssetServer).load<GltfAsset>(MODEL_PATH);
  loading.model = handle;
  ctx.resource(ChunkStream).crate = handle;
  beginWorld(ctx, loading.firstWorld);
}

/** Last: progress from the runtime, the first reply, the world's steps and chunks; draws the screens. */
export function trackLoading({ resource, app }: SystemContext): void {
  const loading = resource(Loading);
  const lt = resource(Ltask);
  const game = resource(Game);
  const stream = resource(ChunkStream);
  noteStartup(lt, loading, app.frame);
  document.body.dataset.state = game.state;
  const world = app.world;
  reopenForNewWorld(world, loading, game);
  if (loading.hideAt && performance.now() >= loading.hideAt) {
    loading.hideAt = 0;
    show(world, loading.ui.screen, false);
  }
  if (loading.state !== 'loading') return;

  const { steps, chunks, progress } = measure(lt, loading, game, stream);
  const { step, text } = describeStep(lt, game, steps, chunks);
  loading.text = text;
  const finished = step === 'done' || step === 'unavailable' || step === 'failed';
  loading.progress = step === 'done' ? 100 : Math.min(99, progress);
  const last = loading.history.at(-1);
  if (!last || last.step !== step || last.progress !== loading.progress) {
    loading.history.push({ t: performance.now(), frame: app.frame, progress: loading.progress, step });
  }
  drawLoading(loading, step, steps, chunks);
  if (finished) finish(loading, lt, game, step);
}

/** Chunks in, and needed, around the focus. */
interface ChunkCount {
  done: number;
  total: number;
}

/** The start-up figures on `document.body.dataset`, each written once. */
function noteStartup(lt: Ltask, loading: Loading, frame: number): void {
  const body = document.body.dataset;
  const t = lt.timings;
  if (t.start && !body.runtimeStartMs) body.runtimeStartMs = t.start.toFixed(1);
  if (lt.status !== 'starting' && loading.runtimeFrame < 0) {
    loading.runtimeFrame = frame;
    body.framesAtRuntimeReady = String(frame);
    if (t.ready) body.runtimeReadyMs = (t.ready - t.start).toFixed(1);
  }
  if (t.firstReply && !body.firstReplyMs) {
    body.firstReplyMs = (t.firstReply - t.start).toFixed(1);
    body.firstReplyAt = t.firstReply.toFixed(1);
  }
  if (t.ready && !body.runtimeReadyAt) body.runtimeReadyAt = t.ready.toFixed(1);
  if (loading.firstNativeAt && !body.firstNativeAt) body.firstNativeAt = loading.firstNativeAt.toFixed(1);
  if (loading.firstReplyFrame >= 0 && !body.framesAtFirstReply) body.framesAtFirstReply = String(loading.firstReplyFrame);
}

/** A new world's load: the screen comes back. */
function reopenForNewWorld(world: World, loading: Loading, game: Game): void {
  if (!(game.begun && game.load.seq !== loading.seq && game.state === 'loading')) return;
  loading.seq = game.load.seq;
  const u = loading.ui;
  if (loading.state === 'done') {
    loading.state = 'loading';
    loading.history.length = 0;
    loading.hideAt = 0;
    show(world, u.screen, true);
    put(u.screen, { className: 'screen', data: { ...dataOf(u.screen), state: 'loading' } });
  }
  put(u.title, { text: game.load.seq > 1 ? `World ${game.worldId}${game.worldCount ? ` of ${game.worldCount}` : ''}` : 'ltask web demo' });
}

const dataOf = (e: EntityId) => ({ ...Ui.node[e]?.data });

/** Each step's state, the chunks in, and the bar's share of them all. */
function measure(lt: Ltask, loading: Loading, game: Game, stream: ChunkStream): { steps: Record<Step, StepState>; chunks: ChunkCount; progress: number } {
  const unavailable = lt.status === 'unavailable';
  const model = loading.model;
  const modelState: StepState = !model ? 'waiting' : model.state === 'loaded' ? 'done' : model.state === 'failed' ? 'failed' : 'active';
  const fc = stream.world ? stream.focusChunk() : null;
  const chunks = fc ? stream.progressAround(fc.cx, fc.cz, NEED_RING) : { done: 0, total: 0 };
  const chunksReady = !!fc && stream.readyAround(fc.cx, fc.cz, NEED_RING);
  const steps: Record<Step, StepState> = {
    runtime: lt.status === 'ready' ? 'done' : unavailable ? 'failed' : 'active',
    reply: loading.firstReplyFrame >= 0 ? 'done' : unavailable || loading.replyFailed ? 'failed' : lt.status === 'ready' ? 'active' : 'waiting',
    world: game.begun ? game.load.world : 'waiting',
    npcs: game.begun ? game.load.npcs : 'waiting',
    model: modelState,
    chunks: chunksReady ? 'done' : stream.world ? 'active' : 'waiting',
  };
  const part = (s: StepState) => (s === 'done' || s === 'failed' ? 1 : 0);
  const progress = Math.round(
    SHARE.page + SHARE.runtime * part(steps.runtime) + SHARE.reply * part(steps.reply) + SHARE.world * part(steps.world) +
      SHARE.npcs * part(steps.npcs) + SHARE.model * part(steps.model) + SHARE.chunks * (chunks.total ? chunks.done / chunks.total : 0),
  );
  return { steps, chunks, progress };
}

/** The step the screen names, and its text line. */
function describeStep(lt: Ltask, game: Game, steps: Record<Step, StepState>, chunks: ChunkCount): { step: string; text: string } {
  const t = lt.timings;
  const since = (performance.now() - (t.start || performance.now())).toFixed(0);
  const world = game.world?.name ?? `world ${game.worldId}`;
  // Failures that stop the game (the NPCs and the crate may fail: the world is playable without them).
  const unavailable = lt.status === 'unavailable';
  const fatal = unavailable ? 'unavailable' : steps.reply === 'failed' ? 'reply' : steps.world === 'failed' ? 'world' : null;
  if (fatal) {
    return {
      step: fatal === 'unavailable' ? 'unavailable' : 'failed',
      text: fatal === 'unavailable' ? 'The ltask runtime is unavailable' : fatal === 'world' ? worldFailure(game.load.error) : game.load.error || 'The first Lua request failed',
    };
  }
  if (steps.runtime === 'active') return { step: 'runtime', text: `Starting the ltask runtime (workers, Lua VMs, io)... ${since} ms` };
  if (steps.reply !== 'done') return { step: 'reply', text: `Waiting for the first Lua reply (hello.lua)... ${since} ms` };
  if (steps.world === 'active' || steps.npcs === 'active') {
    return {
      step: steps.world === 'active' ? 'world' : 'npcs',
      text: steps.world === 'active' ? `Reading ${world} from levels.db (SQLite in a service)...` : `Waking the people of ${world} (director.lua)...`,
    };
  }
  if (steps.model === 'active') return { step: 'model', text: 'Packing the crate model (gltfpack in a service)...' };
  if (steps.chunks !== 'done') return { step: 'chunks', text: `Streaming the land around you: ${chunks.done}/${chunks.total} chunks` };
  return { step: 'done', text: `${world} is ready` };
}

/**
 * The loading screen's line for a world that could not be read: the file and
 * SQLite's reason on one line (`levels.db is damaged or not a database:
 * database disk image is malformed`), without the Lua traceback that follows
 * the error in the reply; the full error stays in `game.load.error`.
 */
export function worldFailure(error: string): string {
  const first = error.split('\nstack traceback:')[0]!.trim();
  const m = /\[sqlite\] (\S+?): ([^\n]+)/.exec(first);
  if (!m) return first || 'The world could not be loaded';
  const file = m[1]!.slice(m[1]!.lastIndexOf('/') + 1);
  const broken = /malformed|not a database|empty|corrupt/i.test(m[2]!);
  return `Cannot load the world: ${file} ${broken ? 'is damaged or not a database' : 'could not be read'} (${m[1]}: ${m[2]})`;
}

/** The bar, the text and the step list; only when something shown changed. */
function drawLoading(loading: Loading, step: string, steps: Record<Step, StepState>, chunks: ChunkCount): void {
  const key = `${step}|${loading.progress}|${loading.text}|${Object.values(steps).join()}`;
  if (key === lastDrawn) return;
  lastDrawn = key;
  const u = loading.ui;
  // For tests: the screen's data attributes say where the load is (see the module's comment).
  put(u.screen, { data: { state: loading.state, progress: String(loading.progress), step, ...steps, chunkCount: `${chunks.done}/${chunks.total}` } });
  put(u.bar, { value: loading.progress / 100 });
  put(u.text, { text: loading.text });
  put(u.percent, { text: `${loading.progress}%` });
  for (const k of Object.keys(STEP_NAMES) as Step[]) put(u.steps[k], { data: { step: k, status: steps[k] } });
}

/** The load ended: a failure stays up; otherwise the screen fades out and the title card (or the runtime banner) shows. */
function finish(loading: Loading, lt: Ltask, game: Game, step: string): void {
  if (step === 'done' && game.state === 'loading') {
    // The title first (next frame's StateTransition): the screen says done once the card is up.
    game.go('title');
    return;
  }
  const body = document.body.dataset;
  const t = lt.timings;
  loading.state = step === 'done' ? 'done' : step === 'unavailable' ? 'unavailable' : 'failed';
  const u = loading.ui;
  put(u.screen, { data: { ...dataOf(u.screen), state: loading.state } });
  if (loading.state === 'failed') return; // stays up, with the error
  body.loaded = loading.state;
  if (!body.loadedMs) body.loadedMs = (performance.now() - (t.start || 0)).toFixed(1);
  if (lt.status === 'unavailable') {
    const banner = $('runtime-error');
    if (banner) {
      $('runtime-error-text')!.textContent = lt.error?.message ?? 'unknown error';
      banner.hidden = false;
    }
  }
  put(u.screen, { className: 'screen leaving' }); // fades out (CSS), then leaves the layout
  loading.hideAt = performance.now() + 400;
}

/** OnEnter(title): the title card, with the world's name and intro; it goes when `title` is left. */
export function showTitle({ resource, world }: SystemContext): void {
  const game = resource(Game);
  const w = game.world;
  if (!w) return;
  const n = game.worldCount;
  const screen = node(world, null, { kind: 'panel', id: 'title', className: 'screen', style: SCREEN }, stateScoped(Flow, 'title'));
  const card = node(world, screen, { kind: 'panel', className: 'card', style: { align: 'center' } });
  node(world, card, { kind: 'text', id: 'title-world', text: n ? `World ${w.id} of ${n}` : `World ${w.id}` });
  node(world, card, { kind: 'text', id: 'title-name', text: w.name });
  node(world, card, { kind: 'text', id: 'title-intro', text: w.intro });
  node(world, card, { kind: 'text', id: 'title-meta', text: `${w.coins} coins to find \u00b7 par ${clock(w.par_time)} \u00b7 ${w.npcs.length || 'some'} locals` });
  node(world, card, { kind: 'button', name: 'start', className: 'prompt', text: 'Start (Enter / pad A / tap)' });
}
