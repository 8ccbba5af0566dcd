/**
 * NPCs: Lua services (spawned by director.lua on worker 1) that tick on their
 * own. The page tells the director where the player is (`director.player`,
 * 10 times a second, a send) and asks for a snapshot 10 times a second (one
 * request in flight at a time); positions are interpolated between snapshots.
 * Each NPC is a capsule coloured by kind with a blob shadow and a small DOM
 * label (name, and '!' when chasing, '?' when fleeing, '…' when talking).
 */
import { BoxGeometry, CapsuleGeometry, SphereGeometry, MeshLambertMaterial, Color, Vector3 } from 'three';
import { Hidden, MeshMaterial3d, addComponent, despawn, mesh, removeComponent, setPosition, setRotation, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { Ltask, defineReply } from '@ltask-web/plugin-ltask/engine';
import { ChunkStream } from './chunks.ts';
import { readSnapshot, type NpcKind, type NpcSnap, type NpcState, type Snapshot } from './data.ts';
import { PlayerState } from './player.ts';
import { Look, materials, shapes } from './scene.ts';

/**
 * Director and page share one coordinate space (world units: tile (tx, tz)
 * spans [tx, tx + 1) x [tz, tz + 1)); kept as a constant to show where it applies.
 */
export const NPC_OFFSET = 0;
/** How often the page polls the snapshot and reports the player (ms). */
export const POLL_MS = 100;
/** Sliding window of the NPC tick figures (ms). */
const WINDOW_MS = 5000;

/** Replies of `director.snapshot`, with the world load (`Npcs.seq`) they were asked for in. */
export const SnapshotReply = defineReply<{ seq: number }>('SnapshotReply');

const KIND_STYLE: Record<NpcKind, { color: number; scale: number; height: number }> = {
  guard: { color: 0xd64045, scale: 1.08, height: 0.6 },
  villager: { color: 0x3fa7a0, scale: 0.95, height: 0.55 },
  critter: { color: 0xe9a23b, scale: 0.55, height: 0.3 },
};

const bodies: Record<NpcKind, CapsuleGeometry | SphereGeometry> = {
  guard: new CapsuleGeometry(0.3, 0.55, 4, 12),
  villager: new CapsuleGeometry(0.28, 0.45, 4, 12),
  critter: new SphereGeometry(0.5, 12, 8),
};
const bodyMaterials: Record<NpcKind, MeshLambertMaterial> = {
  guard: new MeshLambertMaterial({ color: KIND_STYLE.guard.color }),
  villager: new MeshLambertMaterial({ color: KIND_STYLE.villager.color }),
  critter: new MeshLambertMaterial({ color: KIND_STYLE.critter.color }),
};
/** The dark band on a guard's or villager's face: shows where it looks (it turns as it walks). */
const visorGeometry = new BoxGeometry(0.32, 0.11, 0.14);

/** A chasing guard glows. */
const chaseMaterial = new MeshLambertMaterial({ color: 0xff5a4f, emissive: new Color(0x7a0d0d) });

/** One NPC on screen. */
interface NpcView {
  id: string;
  name: string;
  kind: NpcKind;
  state: NpcState;
  body: number;
  shadow: number;
  /** The face band (-1: none, critters). */
  visor: number;
  /** Facing (radians around Y; 0: towards -z). */
  facing: number;
  label: HTMLElement;
  /** Interpolation: from where to where, starting when, for how long (ms). */
  fx: number;
  fz: number;
  tx: number;
  tz: number;
  t0: number;
  dur: number;
  /** Where it is drawn now (world units). */
  x: number;
  z: number;
  visible: boolean;
  labelText: string;
}

/** The director's NPCs as the page sees them. */
export class Npcs {
  /** The director's address once resolved (for `send`). */
  addr: number | null = null;
  /** Whether `director.start` answered for the current world. */
  started = false;
  /** Bumped per world: a snapshot asked for in an earlier world is dropped. */
  seq = 0;
  /** Last snapshot and when it came (`performance.now()`). */
  snap: Snapshot | null = null;
  snapAt = 0;
  snapshots = 0;
  inFlight = false;
  lastPoll = 0;
  lastReport = 0;
  readonly views = new Map<string, NpcView>();
  /** (time, gap max, gap p99) of recent snapshots. */
  readonly window: { t: number; max: number; p99: number; ticks: number }[] = [];
  error = '';

  /** Drops every NPC (a new world). */
  reset(ctx: SystemContext): void {
    for (const v of this.views.values()) dropView(ctx, v);
    this.views.clear();
    this.snap = null;
    this.started = false;
    this.seq++;
    this.window.length = 0;
  }

  /** NPC tick figures over the last seconds: the worst gap between two ticks, and ticks per second. */
  recent(since = 0): { gapMax: number; gapP99: number; ticksPerS: number } {
    const now = performance.now();
    while (this.window.length && now - this.window[0]!.t > WINDOW_MS) this.window.shift();
    let gapMax = 0;
    let gapP99 = 0;
    const win = this.window.filter((w) => w.t >= since);
    for (const w of win) {
      gapMax = Math.max(gapMax, w.max);
      gapP99 = Math.max(gapP99, w.p99);
    }
    const a = win[0];
    const b = win.at(-1);
    const ticksPerS = a && b && b.t > a.t ? ((b.ticks - a.ticks) / (b.t - a.t)) * 1000 : 0;
    return { gapMax, gapP99, ticksPerS };
  }

  /** Where an NPC is drawn now (world units), by id. */
  position(id: string | number): { x: number; z: number } | null {
    const v = this.views.get(String(id));
    return v ? { x: v.x, z: v.z } : null;
  }

  /** The views, for the rules (catching, talking). */
  list(): Iterable<Readonly<NpcView>> {
    return this.views.values();
  }
}

/** Update: reports the player and polls the snapshot, each at 10 Hz. */
export function pollDirector(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const lt = ctx.resource(Ltask);
  if (!npcs.started || lt.status !== 'ready') return;
  const now = performance.now();
  const p = ctx.resource(PlayerState);
  if (npcs.addr !== null && now - npcs.lastReport >= POLL_MS) {
    npcs.lastReport = now;
    try {
      lt.send(npcs.addr, 'player', p.x - NPC_OFFSET, p.z - NPC_OFFSET);
    } catch {
      /* busy: the next one goes in 100 ms */
    }
  }
  if (!npcs.inFlight && now - npcs.lastPoll >= POLL_MS) {
    npcs.inFlight = true;
    npcs.lastPoll = now;
    lt.request(SnapshotReply, 'director', 'snapshot', [], { seq: npcs.seq });
  }
}

/** Update: applies snapshots (new NPCs appear, gone ones leave) and moves the views. */
export function updateNpcs(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const now = performance.now();
  for (const e of ctx.read(SnapshotReply)) {
    npcs.inFlight = false;
    if (e.context.seq !== npcs.seq) continue; // asked for in the previous world
    if (!e.ok) {
      npcs.error = e.error?.message ?? 'snapshot failed';
      continue;
    }
    applySnapshot(ctx, npcs, readSnapshot(e.values[0]), now);
  }
  // Interpolate, and hide NPCs standing on chunks not loaded.
  const stream = ctx.resource(ChunkStream);
  for (const v of npcs.views.values()) moveView(ctx, stream, v, now);
}

/** One snapshot: every view heads for its NPC's new place over the poll interval; views of gone NPCs leave. */
function applySnapshot(ctx: SystemContext, npcs: Npcs, snap: Snapshot, now: number): void {
  const interval = npcs.snapAt ? Math.min(400, Math.max(60, now - npcs.snapAt)) : POLL_MS;
  npcs.snap = snap;
  npcs.snapAt = now;
  npcs.snapshots++;
  npcs.window.push({ t: now, max: snap.gap_max_ms, p99: snap.gap_p99_ms, ticks: snap.ticks });
  const seen = new Set<string>();
  for (const n of snap.npcs) {
    const id = String(n.id);
    seen.add(id);
    const x = n.x + NPC_OFFSET;
    const z = n.z + NPC_OFFSET;
    let v = npcs.views.get(id);
    if (!v) {
      v = spawnView(ctx, n, x, z);
      npcs.views.set(id, v);
    }
    v.fx = v.x;
    v.fz = v.z;
    // A jump (respawn, teleport) is not interpolated.
    if (Math.hypot(x - v.x, z - v.z) > 4) {
      v.fx = x;
      v.fz = z;
    }
    v.tx = x;
    v.tz = z;
    v.t0 = now;
    v.dur = interval;
    v.state = n.state; // the material and label follow (drawNpcLabels)
    v.name = n.name;
  }
  for (const [id, v] of npcs.views) {
    if (seen.has(id)) continue;
    dropView(ctx, v);
    npcs.views.delete(id);
  }
}

/** One view, this frame: its place between snapshots, hidden off loaded ground, its hop and its facing. */
function moveView(ctx: SystemContext, stream: ChunkStream, v: NpcView, now: number): void {
  const t = now / 1000;
  const k = Math.min(1, (now - v.t0) / v.dur);
  v.x = v.fx + (v.tx - v.fx) * k;
  v.z = v.fz + (v.tz - v.fz) * k;
  const onGround = stream.tile(Math.floor(v.x), Math.floor(v.z)) >= 0;
  if (onGround !== v.visible) {
    v.visible = onGround;
    for (const eid of [v.body, v.shadow, v.visor]) {
      if (eid < 0) continue;
      if (onGround) removeComponent(ctx.world, eid, Hidden);
      else addComponent(ctx.world, eid, Hidden);
    }
  }
  const style = KIND_STYLE[v.kind] ?? KIND_STYLE.villager;
  const moving = k < 1 && Math.hypot(v.tx - v.fx, v.tz - v.fz) > 0.01;
  const hop = v.kind === 'critter' ? Math.abs(Math.sin(t * 9 + v.body)) * 0.18 : moving ? Math.abs(Math.sin(t * 10 + v.body)) * 0.06 : 0;
  const y = style.height * style.scale + 0.05 + hop;
  setPosition(v.body, v.x, y, v.z);
  setPosition(v.shadow, v.x, 0.016, v.z);
  if (v.visor >= 0) {
    if (moving) {
      const want = Math.atan2(-(v.tx - v.fx), -(v.tz - v.fz));
      let d = want - v.facing;
      d = Math.atan2(Math.sin(d), Math.cos(d));
      v.facing += d * Math.min(1, 0.25);
    }
    const r = 0.23 * style.scale;
    setPosition(v.visor, v.x - Math.sin(v.facing) * r, y + 0.22 * style.scale, v.z - Math.cos(v.facing) * r);
    setRotation(v.visor, 0, Math.sin(v.facing / 2), 0, Math.cos(v.facing / 2));
  }
}

function spawnView(ctx: SystemContext, n: NpcSnap, x: number, z: number): NpcView {
  const kind: NpcKind = n.kind in KIND_STYLE ? n.kind : 'villager';
  const style = KIND_STYLE[kind];
  const body = spawn(ctx.world, mesh(bodies[kind], bodyMaterials[kind]), transform({ position: [x, style.height, z], scale: style.scale }));
  const shadow = spawn(ctx.world, mesh(shapes.blob, materials.shadows), transform({ position: [x, 0.016, z], scale: 0.45 * style.scale }));
  const visor = kind === 'critter' ? -1 : spawn(ctx.world, mesh(visorGeometry, materials.visor), transform({ position: [x, style.height * 2, z], scale: style.scale }));
  const label = document.createElement('div');
  label.className = `label ${kind}`;
  document.getElementById('labels')?.appendChild(label);
  return {
    id: String(n.id), name: n.name, kind, state: n.state, body, shadow, visor, facing: Math.PI, label, fx: x, fz: z, tx: x, tz: z, t0: performance.now(), dur: POLL_MS,
    x, z, visible: true, labelText: '',
  };
}

function dropView(ctx: SystemContext, v: NpcView): void {
  despawn(ctx.world, v.body);
  despawn(ctx.world, v.shadow);
  if (v.visor >= 0) despawn(ctx.world, v.visor);
  v.label.remove();
}

const GLYPH: Record<NpcState, string> = { chase: '!', flee: '?', talk: '\u2026', patrol: '', idle: '' };

const v3 = new Vector3();

/** Last: labels over the NPCs (projected with the camera); a chasing guard glows. */
export function drawNpcLabels(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const look = ctx.resource(Look);
  const cam = look.camera;
  const canvas = document.getElementById('view');
  if (!canvas) return;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  cam.updateMatrixWorld();
  const p = ctx.resource(PlayerState);
  for (const v of npcs.views.values()) {
    const chasing = v.state === 'chase';
    if (v.kind === 'guard') {
      const mat = chasing ? chaseMaterial : bodyMaterials.guard;
      setMaterial(v.body, mat);
    }
    const style = KIND_STYLE[v.kind] ?? KIND_STYLE.villager;
    v3.set(v.x, style.height * style.scale * 2 + 0.55, v.z).project(cam);
    const on = v.visible && v3.z < 1 && Math.abs(v3.x) < 1.1 && Math.abs(v3.y) < 1.1;
    const glyph = GLYPH[v.state] ?? '';
    const near = v.kind === 'villager' && Math.hypot(v.x - p.x, v.z - p.z) <= 2 && p.controllable;
    const text = `${glyph ? `<b>${glyph}</b> ` : ''}${escapeHtml(v.name)}${near ? ' <kbd>E</kbd>' : ''}`;
    if (text !== v.labelText) {
      v.labelText = text;
      v.label.innerHTML = text;
      v.label.dataset.state = v.state;
    }
    v.label.style.display = on ? '' : 'none';
    if (on) v.label.style.transform = `translate(${((v3.x + 1) / 2) * w}px, ${((1 - v3.y) / 2) * h}px) translate(-50%, -100%)`;
  }
}

function setMaterial(eid: number, m: MeshLambertMaterial): void {
  if (MeshMaterial3d.material[eid] !== m) MeshMaterial3d.material[eid] = m;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
