/**
 * NPCs as the page sees them: entities in the App's world that their Lua
 * services (npc.lua, spawned by director.lua on worker 1) spawn and move every
 * tick (see npc-world.ts). The page only reads them: each frame it hides an
 * NPC standing off the loaded chunks or belonging to an earlier world load,
 * adds the hop (game time), makes a chasing guard glow, gathers the tick
 * figures from `Npc.ticks` / `Npc.gap`, and draws a DOM label over each (name,
 * and '!' when chasing, '?' when fleeing, '…' when talking).
 */
import { Vector3 } from 'three';
import { Hidden, MeshMaterial3d, Time, Transform, addComponent, hasComponent, query, removeComponent, type SystemContext } from '@ltask-web/engine';
import { ChunkStream } from './chunks.ts';
import type { NpcInfo, NpcKind, NpcState } from './data.ts';
import { KIND_STYLE, NPC_KINDS, NPC_STATES, Npc, NpcParts, bodyMaterials, bodyY, chaseMaterial } from './npc-world.ts';
import { PlayerState } from './player.ts';
import { Look } from './scene.ts';

/** Sliding window of the NPC tick figures (ms). */
const WINDOW_MS = 5000;

/** One NPC of the current world load, read from its entity. */
export interface NpcView {
  /** Its root entity. */
  eid: number;
  /** Its `npcs` row id. */
  id: number;
  name: string;
  kind: NpcKind;
  state: NpcState;
  x: number;
  z: number;
  ticks: number;
  /** Real time between its last two ticks (ms). */
  gap: number;
  /** On a loaded chunk (drawn). */
  visible: boolean;
}

/** The NPCs of the current world load, and their tick figures. */
export class Npcs {
  /** The world load whose NPCs are shown (`Npc.epoch`; `Game.load.seq`). */
  epoch = 0;
  /** Whether `director.start` answered for the current world. */
  started = false;
  /** Names by row id (from the world's row). */
  readonly names = new Map<number, string>();
  /** This frame's NPCs (`trackNpcs`). */
  readonly views: NpcView[] = [];
  /** Catches this world (`Caught` events). */
  caught = 0;
  /** Tick gaps seen (when, ms), over the window. */
  readonly gaps: { t: number; ms: number }[] = [];
  /** Ticks of this world's NPCs so far, per frame, over the window. */
  readonly totals: { t: number; ticks: number }[] = [];
  /** Each entity's `Npc.ticks` when last looked at (a new tick shows as a change). */
  readonly seenTicks = new Int32Array(Npc.ticks.length).fill(-1);
  error = '';

  /** A new world load: its NPCs (by `epoch`) are the ones shown from now on. */
  reset(epoch: number): void {
    this.epoch = epoch;
    this.started = false;
    this.names.clear();
    this.views.length = 0;
    this.caught = 0;
    this.gaps.length = 0;
    this.totals.length = 0;
    this.error = '';
  }

  /** The world's NPC rows: their names label them. */
  named(rows: readonly NpcInfo[]): void {
    for (const r of rows) this.names.set(Number(r.id), r.name);
  }

  /** NPC tick figures over the last seconds (or since `since`): the worst gap between two ticks, its p99, ticks per second. */
  recent(since = 0): { gapMax: number; gapP99: number; ticksPerS: number } {
    const now = performance.now();
    while (this.gaps.length && now - this.gaps[0]!.t > WINDOW_MS) this.gaps.shift();
    while (this.totals.length && now - this.totals[0]!.t > WINDOW_MS) this.totals.shift();
    const gaps: number[] = [];
    let gapMax = 0;
    for (const g of this.gaps) {
      if (g.t < since) continue;
      gaps.push(g.ms);
      gapMax = Math.max(gapMax, g.ms);
    }
    const win = this.totals.filter((w) => w.t >= since);
    const a = win[0];
    const b = win.at(-1);
    const ticksPerS = a && b && b.t > a.t ? ((b.ticks - a.ticks) / (b.t - a.t)) * 1000 : 0;
    return {
      gapMax,
      /** Nearest rank, sorted only when asked for (the HUD reads the max every frame). */
      get gapP99() {
        gaps.sort((x, y) => x - y);
        return gaps.length ? gaps[Math.min(gaps.length - 1, Math.ceil(gaps.length * 0.99) - 1)]! : 0;
      },
      ticksPerS,
    };
  }

  /** This frame's NPCs, for the rules (catching, talking). */
  list(): readonly Readonly<NpcView>[] {
    return this.views;
  }

  /** What `demo.npcs()` shows: the NPCs, their ticks in all, catches this world. */
  summary(): { npcs: Omit<NpcView, 'eid' | 'visible'>[]; ticks: number; caught: number } {
    const npcs = this.views.map((v) => ({ id: v.id, name: v.name, kind: v.kind, state: v.state, x: v.x, z: v.z, ticks: v.ticks, gap: v.gap }));
    return { npcs, ticks: npcs.reduce((s, n) => s + n.ticks, 0), caught: this.caught };
  }
}

/** Update: reads every NPC entity of the current load; hides, hops, glows; gathers the tick figures. */
export function trackNpcs(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const stream = ctx.resource(ChunkStream);
  const t = ctx.resource(Time).elapsed;
  const now = performance.now();
  npcs.views.length = 0;
  let ticks = 0;
  for (const e of query(ctx.world, [Npc, NpcParts, Transform])) {
    const mine = Npc.epoch[e] === npcs.epoch && npcs.started;
    const x = Transform.px[e]!;
    const z = Transform.pz[e]!;
    const visible = mine && stream.tile(Math.floor(x), Math.floor(z)) >= 0;
    showParts(ctx, e, visible);
    if (!mine) continue;
    const kind = NPC_KINDS[Npc.kind[e]!] ?? 'villager';
    const state = NPC_STATES[Npc.state[e]!] ?? 'idle';
    const n = Npc.ticks[e]!;
    if (n !== npcs.seenTicks[e]) {
      npcs.seenTicks[e] = n;
      if (Npc.gap[e]! > 0) npcs.gaps.push({ t: now, ms: Npc.gap[e]! });
    }
    ticks += n;
    const id = Npc.id[e]!;
    npcs.views.push({ eid: e, id, name: npcs.names.get(id) ?? `#${id}`, kind, state, x, z, ticks: n, gap: Npc.gap[e]!, visible });
    animate(e, kind, state, t);
  }
  if (npcs.started) npcs.totals.push({ t: now, ticks });
}

/** Shows or hides an NPC's meshes. */
function showParts(ctx: SystemContext, root: number, on: boolean): void {
  for (const part of [NpcParts.body[root]!, NpcParts.shadow[root]!, NpcParts.visor[root]!]) {
    if (part < 0 || hasComponent(ctx.world, part, Hidden) !== on) continue;
    if (on) removeComponent(ctx.world, part, Hidden);
    else addComponent(ctx.world, part, Hidden);
  }
}

/** The body's hop (a critter always hops, the others while they walk); a chasing guard glows. */
function animate(root: number, kind: NpcKind, state: NpcState, t: number): void {
  const body = NpcParts.body[root]!;
  const moving = Npc.moving[root] !== 0;
  const hop = kind === 'critter' ? Math.abs(Math.sin(t * 9 + root)) * 0.18 : moving ? Math.abs(Math.sin(t * 10 + root)) * 0.06 : 0;
  Transform.py[body] = bodyY(kind) + hop;
  if (kind === 'guard') {
    const m = state === 'chase' ? chaseMaterial : bodyMaterials.guard;
    if (MeshMaterial3d.material[body] !== m) MeshMaterial3d.material[body] = m;
  }
}

const GLYPH: Record<NpcState, string> = { chase: '!', flee: '?', talk: '\u2026', patrol: '', idle: '' };

/** A label on screen, by root entity. */
interface Label {
  el: HTMLElement;
  /** Which NPC it labels (an entity index can come back for another). */
  key: string;
  text: string;
}
const labels = new Map<number, Label>();
const v3 = new Vector3();

/** Last: labels over the NPCs (projected with the camera). */
export function drawNpcLabels(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const cam = ctx.resource(Look).camera;
  const canvas = document.getElementById('view');
  if (!canvas) return;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  cam.updateMatrixWorld();
  const p = ctx.resource(PlayerState);
  const live = new Set<number>();
  for (const v of npcs.views) {
    live.add(v.eid);
    const label = labelOf(v);
    const style = KIND_STYLE[v.kind];
    v3.set(v.x, style.height * style.scale * 2 + 0.55, v.z).project(cam);
    const on = v.visible && v3.z < 1 && Math.abs(v3.x) < 1.1 && Math.abs(v3.y) < 1.1;
    const glyph = GLYPH[v.state] ?? '';
    const near = v.kind === 'villager' && Math.hypot(v.x - p.x, v.z - p.z) <= 2 && p.controllable;
    const text = `${glyph ? `<b>${glyph}</b> ` : ''}${escapeHtml(v.name)}${near ? ' <kbd>E</kbd>' : ''}`;
    if (text !== label.text) {
      label.text = text;
      label.el.innerHTML = text;
      label.el.dataset.state = v.state;
    }
    label.el.style.display = on ? '' : 'none';
    if (on) label.el.style.transform = `translate(${((v3.x + 1) / 2) * w}px, ${((1 - v3.y) / 2) * h}px) translate(-50%, -100%)`;
  }
  for (const [eid, l] of labels) {
    if (live.has(eid)) continue;
    l.el.remove();
    labels.delete(eid);
  }
}

/** The label of an NPC (made when it first shows). */
function labelOf(v: NpcView): Label {
  const key = `${v.id}:${v.kind}`;
  let l = labels.get(v.eid);
  if (l && l.key !== key) {
    l.el.remove();
    l = undefined;
  }
  if (!l) {
    const el = document.createElement('div');
    el.className = `label ${v.kind}`;
    document.getElementById('labels')?.appendChild(el);
    l = { el, key, text: '' };
    labels.set(v.eid, l);
  }
  return l;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
