/**
 * The game's rules and flow: load a world (`levels.world`, `director.start`,
 * the chunks around the spawn), its title card, play (coins, timer, guards,
 * the exit gate that opens when every coin is taken), the win panel, and the
 * next world.
 *
 * The flow is the `Flow` state (flow.ts): the rules ask for the next value
 * (`Game.go`); `OnEnter` / `OnExit` systems start and end play; the play
 * systems run only while `playing`.
 */
import { BoxGeometry, CircleGeometry, Color, CylinderGeometry, Matrix4, type BufferGeometry } from 'three';
import {
  ClearColor, Hidden, MeshMaterial3d, Time, type States, addComponent, despawn, mesh, removeComponent, setPosition, setRotation, setScale, spawn, transform,
  type SystemContext,
} from '@ltask-web/engine';
import { Ltask, defineReply, type LtaskReply } from '@ltask-web/plugin-ltask/engine';
import { ChunkStream, chunkKey } from './chunks.ts';
import { readWorld, type TalkReply, type WorldInfo } from './data.ts';
import { Dialogue } from './dialogue.ts';
import type { GameState } from './flow.ts';
import { FrameWindow } from './frames.ts';
import { Caught } from './npc-world.ts';
import { Npcs } from './npcs.ts';
import { CameraRig, PlayerState } from './player.ts';
import { Look, applyPalette, materials } from './scene.ts';
import { GeoBuilder } from './geo.ts';
import { Sfx } from './sfx.ts';
import { CHUNK } from './terrain.ts';

export type { GameState } from './flow.ts';
export type StepState = 'waiting' | 'active' | 'done' | 'failed';

/** Points. */
export const COIN_POINTS = 100;

/** What a world load's requests carry back: which load (`Game.load.seq`) asked, so a late reply of an older one is dropped. */
export interface LoadAsk {
  seq: number;
}
/** Replies of `levels.worlds` (how many worlds there are). */
export const WorldsReply = defineReply('WorldsReply');
/** Replies of `levels.world` (the world's row). */
export const WorldReply = defineReply<LoadAsk>('WorldReply');
/** Replies of `director.start` (the world's NPCs are up). */
export const DirectorStartReply = defineReply<LoadAsk>('DirectorStartReply');
/** Replies of `director.talk` (a villager's story). */
export const DirectorTalkReply = defineReply('DirectorTalkReply');
export const CAUGHT_PENALTY = 50;
/** Bonus per second under par. */
export const BONUS_PER_S = 10;
/** Talking reach (tiles), catching reach (a chasing guard this close catches you). */
export const TALK_RANGE = 2;
export const CATCH_RANGE = 0.55;
/** Seconds the player cannot be caught again after being sent back. */
const SAFE_S = 2;

/** What a cleared world gave. */
export interface WorldResult {
  world: string;
  coins: number;
  coinPoints: number;
  time: number;
  par: number;
  bonus: number;
  caught: number;
  score: number;
}

/** A short message in the middle of the screen. */
export interface Toast {
  text: string;
  kind: 'good' | 'bad' | 'info';
  until: number;
}

/** The game: which world, the score, the clock, the state. */
export class Game {
  /** The `Flow` state's resource (main.ts sets it once the StatePlugin has made it). */
  flow: States<GameState> | null = null;
  worldId = 1;
  /** How many worlds there are (`levels.worlds()`; 0: not known yet). */
  worldCount = 0;
  world: WorldInfo | null = null;
  score = 0;
  /** Seconds played in this world (stops while talking). */
  elapsed = 0;
  caught = 0;
  safeUntil = 0;
  exitOpen = false;
  result: WorldResult | null = null;
  readonly toasts: Toast[] = [];
  /** This world's load: bumped per world; each step's state. */
  load = { seq: 0, world: 'waiting' as StepState, npcs: 'waiting' as StepState, error: '' };
  /** Whether the first world's load has been started (after the first Lua reply). */
  begun = false;
  /** The exit gate's entities. */
  gate: { frame: number; portal: number; beam: number; geometry: BufferGeometry | null } | null = null;

  /** The flow's value now. */
  get state(): GameState {
    return this.flow?.current ?? 'loading';
  }

  /** Asks for the flow's next value (made in the next `StateTransition`). */
  go(next: GameState): void {
    this.flow?.set(next);
  }

  toast(text: string, kind: Toast['kind'] = 'info', ms = 1600): void {
    this.toasts.push({ text, kind, until: performance.now() + ms });
    if (this.toasts.length > 4) this.toasts.shift();
  }

  /** Coins taken and in the world. */
  coins(stream: ChunkStream): { got: number; total: number } {
    const got = stream.collected.size;
    return { got, total: Math.max(this.world?.coins ?? 0, got) };
  }

  /** The next world's id (after the last: the first). */
  nextWorld(): number {
    return this.worldCount > 0 ? (this.worldId % this.worldCount) + 1 : this.worldId + 1;
  }
}

/** Starts loading world `id`: its row, its NPCs (director.start), then its chunks. */
export function beginWorld(ctx: SystemContext, id: number): void {
  const game = ctx.resource(Game);
  const lt = ctx.resource(Ltask);
  game.go('loading');
  game.worldId = id;
  game.world = null;
  game.exitOpen = false;
  game.result = null;
  game.elapsed = 0;
  game.caught = 0;
  game.load = { seq: game.load.seq + 1, world: 'active', npcs: 'active', error: '' };
  game.begun = true;
  ctx.resource(ChunkStream).reset(null, ctx);
  ctx.resource(Npcs).reset(game.load.seq);
  ctx.resource(Dialogue).close();
  ctx.resource(PlayerState).controllable = false;
  ctx.resource(CameraRig).mode = 'orbit';
  removeGate(ctx);
  const seq = game.load.seq;
  lt.request(WorldReply, 'levels', 'world', [id], { seq });
  lt.request(DirectorStartReply, 'director', 'start', [id, seq], { seq });
}

/** Update: replies about worlds (count, row, NPCs started, talk). */
export function worldReplies(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  for (const e of ctx.read(WorldsReply)) if (e.ok) game.worldCount = Number(e.values[0]) || 0;
  for (const e of ctx.read(WorldReply)) if (e.context.seq === game.load.seq) worldArrived(ctx, e);
  for (const e of ctx.read(DirectorStartReply)) if (e.context.seq === game.load.seq) npcsStarted(ctx, e);
  for (const e of ctx.read(DirectorTalkReply)) talkArrived(ctx, e);
}

/** The world's row (`levels.world`): the stream, the player, the camera, the palette and the gate follow it. */
function worldArrived(ctx: SystemContext, e: LtaskReply<LoadAsk>): void {
  const game = ctx.resource(Game);
  if (!e.ok) {
    game.load.world = 'failed';
    game.load.error = `levels.world(${game.worldId}): ${e.error?.message ?? 'failed'}`;
    // The screen shows one line; the console keeps the whole error (the Lua traceback too).
    console.error(`[game] cannot load world ${game.worldId}: ${game.load.error}`);
    return;
  }
  if (!e.values[0]) {
    game.load.world = 'failed';
    game.load.error = `there is no world ${game.worldId}`;
    return;
  }
  const w = readWorld(e.values[0]);
  game.world = w;
  game.load.world = 'done';
  ctx.resource(Npcs).named(w.npcs);
  ctx.resource(ChunkStream).reset(w, ctx);
  const p = ctx.resource(PlayerState);
  p.place(w.spawn_x, w.spawn_z);
  p.facing = Math.PI;
  const rig = ctx.resource(CameraRig);
  rig.cx = w.spawn_x;
  rig.cz = w.spawn_z;
  rig.snap = true;
  applyPalette(ctx.resource(Look), ctx.resource(ClearColor), w.palette);
  game.exitOpen = w.coins <= 0;
  spawnGate(ctx, w);
  document.title = `${w.name} - ltask web demo`;
}

/** The world's NPC services are started (`director.start`): their entities show from now on. */
function npcsStarted(ctx: SystemContext, e: LtaskReply<LoadAsk>): void {
  const game = ctx.resource(Game);
  const npcs = ctx.resource(Npcs);
  game.load.npcs = e.ok ? 'done' : 'failed';
  npcs.started = e.ok;
  if (!e.ok) npcs.error = `director.start: ${e.error?.message ?? 'failed'}`;
}

/** A villager's story (`director.talk`): the dialogue starts, unless it was closed meanwhile. */
function talkArrived(ctx: SystemContext, e: LtaskReply<void>): void {
  const d = ctx.resource(Dialogue);
  if (!d.open) return;
  if (!e.ok) {
    d.fail(e.error?.message ?? 'no answer');
    return;
  }
  const r = (e.values[0] ?? {}) as Partial<TalkReply>;
  try {
    if (typeof r.story !== 'string') throw new Error('director.talk sent no story');
    d.start(r.story, r.knot, r.name);
  } catch (err) {
    d.fail(err instanceof Error ? err.message : String(err));
  }
}

/** OnEnter(playing): the clock starts, the frame window forgets the start-up, the camera follows. */
export function startPlaying(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  game.elapsed = 0;
  game.safeUntil = performance.now() + 1000;
  ctx.resource(FrameWindow).reset();
  ctx.resource(CameraRig).mode = 'follow';
}

/** OnEnter(won): the player stops, the fanfare plays. */
export function wonWorld(ctx: SystemContext): void {
  ctx.resource(PlayerState).target = null;
  ctx.resource(Sfx).play(ctx, 'win');
}

/** Update: whether input moves the player (playing, not talking); the stream follows the player once playing, before that the spawn. */
export function followPlayer(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  const p = ctx.resource(PlayerState);
  p.controllable = game.state === 'playing' && !ctx.resource(Dialogue).open;
  if (game.state === 'playing' || game.state === 'won') ctx.resource(ChunkStream).focus = { x: p.x, z: p.z };
}

/** Update, in `playing`: the clock, coins, guards, the gate, winning. */
export function playRules(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  const p = ctx.resource(PlayerState);
  const d = ctx.resource(Dialogue);
  const stream = ctx.resource(ChunkStream);
  const npcs = ctx.resource(Npcs);
  const sfx = ctx.resource(Sfx);
  const now = performance.now();
  // A guard's service emits Caught when it reaches the player (the window after the start keeps older ones off).
  const catches = ctx.read(Caught).filter((c) => c.epoch === npcs.epoch);
  if (!d.open) game.elapsed += ctx.resource(Time).delta;
  const w = game.world!;

  // Coins.
  for (const c of [...stream.coins()]) {
    if ((c.x - p.x) ** 2 + (c.z - p.z) ** 2 < 0.62 ** 2) {
      stream.collect(ctx, c.chunk, c.key);
      game.score += COIN_POINTS;
      game.toast(`+${COIN_POINTS}`, 'good', 700);
      sfx.play(ctx, 'coin');
    }
  }
  const coins = game.coins(stream);
  if (!game.exitOpen && coins.got >= coins.total) {
    game.exitOpen = true;
    game.toast('All coins! The gate is open', 'good', 2600);
    sfx.play(ctx, 'open');
  }

  // Guards: a Caught event, or a chasing guard within reach.
  npcs.caught += catches.length;
  let caughtBy: string | null = catches.length ? (npcs.names.get(catches[0]!.id) ?? 'a guard') : null;
  for (const v of npcs.list()) {
    if (v.kind === 'guard' && v.state === 'chase' && Math.hypot(v.x - p.x, v.z - p.z) < CATCH_RANGE) caughtBy = v.name;
  }
  if (caughtBy && now >= game.safeUntil) {
    game.score -= CAUGHT_PENALTY;
    game.caught++;
    game.safeUntil = now + SAFE_S * 1000;
    p.place(w.spawn_x, w.spawn_z);
    game.toast(`Caught by ${caughtBy}! -${CAUGHT_PENALTY}`, 'bad', 2200);
    sfx.play(ctx, 'caught');
  }

  // The exit.
  if (game.exitOpen && Math.hypot(p.x - w.exit_x, p.z - w.exit_z) < 0.8) {
    const bonus = Math.max(0, Math.round((w.par_time - game.elapsed) * BONUS_PER_S));
    game.score += bonus;
    game.result = {
      world: w.name, coins: coins.got, coinPoints: coins.got * COIN_POINTS, time: game.elapsed, par: w.par_time, bonus, caught: game.caught, score: game.score,
    };
    game.go('won');
  }
}

/** The exit: two stone pillars and a lintel, a portal (dim when closed) and, once open, a beam of light. */
function spawnGate(ctx: SystemContext, w: WorldInfo): void {
  removeGate(ctx);
  const b = new GeoBuilder();
  const stone = materials.gate.color.clone();
  const shade = (ny: number) => 0.75 + 0.25 * Math.max(0, ny);
  addBox(b, 0.28, 2.1, 0.34, -0.72, 1.05, 0, stone, shade);
  addBox(b, 0.28, 2.1, 0.34, 0.72, 1.05, 0, stone, shade);
  addBox(b, 1.85, 0.28, 0.42, 0, 2.2, 0, stone, shade);
  addBox(b, 0.5, 0.14, 0.5, -0.72, 0.07, 0, stone.clone().multiplyScalar(0.8), shade);
  addBox(b, 0.5, 0.14, 0.5, 0.72, 0.07, 0, stone.clone().multiplyScalar(0.8), shade);
  const geometry = b.build();
  const x = w.exit_x;
  const z = w.exit_z;
  const frame = spawn(ctx.world, mesh(geometry!, materials.gate), transform({ position: [x, 0, z] }));
  const portal = spawn(ctx.world, mesh(portalGeometry, materials.portalClosed), transform({ position: [x, 1.05, z] }));
  const beam = spawn(ctx.world, mesh(beamGeometry, materials.beam), transform({ position: [x, 6, z] }));
  ctx.resource(Game).gate = { frame, portal, beam, geometry };
}

const portalGeometry = new CircleGeometry(0.62, 28).scale(1, 1.45, 1);
const beamGeometry = new CylinderGeometry(0.35, 0.6, 12, 16, 1, true);

const boxMatrix = new Matrix4();
function addBox(b: GeoBuilder, sx: number, sy: number, sz: number, x: number, y: number, z: number, color: Color, shade: (ny: number) => number): void {
  const g = new BoxGeometry(sx, sy, sz);
  b.add(g, boxMatrix.makeTranslation(x, y, z), color, shade);
  g.dispose();
}

function removeGate(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  if (!game.gate) return;
  despawn(ctx.world, game.gate.frame);
  despawn(ctx.world, game.gate.portal);
  despawn(ctx.world, game.gate.beam);
  game.gate.geometry?.dispose();
  game.gate = null;
}

/** Update: the gate shows with its chunk; open, it glows and spins and sends up a beam. */
export function animateGate(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  const g = game.gate;
  const w = game.world;
  if (!g || !w) return;
  const stream = ctx.resource(ChunkStream);
  const chunk = stream.loaded.get(chunkKey(Math.floor(w.exit_x / CHUNK), Math.floor(w.exit_z / CHUNK)));
  const show = (eid: number, on: boolean) => (on ? removeComponent(ctx.world, eid, Hidden) : addComponent(ctx.world, eid, Hidden));
  show(g.frame, !!chunk);
  show(g.portal, !!chunk);
  show(g.beam, !!chunk && game.exitOpen);
  if (!chunk) return;
  const t = ctx.resource(Time).elapsed;
  const x = w.exit_x;
  const z = w.exit_z;
  const y0 = -chunk.offset;
  setPosition(g.frame, x, y0, z);
  const open = game.exitOpen;
  MeshMaterial3d.material[g.portal] = open ? materials.portalOpen : materials.portalClosed;
  const pulse = open ? 1 + Math.sin(t * 4) * 0.06 : 1;
  setPosition(g.portal, x, 1.05 + y0, z);
  setScale(g.portal, pulse, pulse, 1);
  materials.portalOpen.opacity = 0.7 + Math.sin(t * 3) * 0.15;
  setPosition(g.beam, x, 6 + y0, z);
  setRotation(g.beam, 0, Math.sin(t * 0.5), 0, Math.cos(t * 0.5));
}
