/**
 * The HUD, drawn by the engine's UiPlugin as UI nodes (entities): a small card
 * (world, coins, score, time / par, where the gate is), a hint line, messages
 * (toasts), the dialogue panel (its choices are buttons: a click, a tap, the
 * keys 1-9, or the focus moved by the arrows / d-pad and pressed with Enter /
 * pad A) and, when a blocking loader mode is on, a badge with what it costs
 * (frame interval max, NPC tick gap max, over the last 5 s). The win panel
 * is spawned on entering `won` and goes with the state (`stateScoped`).
 * Nodes change (`put`) only when what they show changes.
 */
import {
  Hidden, Ui, UiFocus, addComponent, childrenOf, despawnRecursive, hasComponent, removeComponent, setParent, setUi, spawn, stateScoped, ui,
  type Bundle, type EntityId, type SystemContext, type UiNode, type World,
} from '@ltask-web/engine';
import { Blocking } from './blocking.ts';
import { ChunkStream } from './chunks.ts';
import { Dialogue } from './dialogue.ts';
import { Flow } from './flow.ts';
import { villagerInReach } from './flow-input.ts';
import { FrameWindow } from './frames.ts';
import { Npcs } from './npcs.ts';
import { PlayerState } from './player.ts';
import { Game } from './rules.ts';

export const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** m:ss */
export const clock = (s: number) => {
  const t = Math.max(0, Math.floor(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

/** Spawns a UI node, under `parent` when given. */
export function node(world: World, parent: EntityId | null, n: UiNode, ...bundles: Bundle[]): EntityId {
  const e = spawn(world, ui(n), ...bundles);
  if (parent !== null) setParent(world, e, parent);
  return e;
}

/** Changes a node only where the change differs from what it shows (a repaint otherwise). */
export function put(e: EntityId, change: Partial<UiNode>): void {
  const n = Ui.node[e];
  if (!n) return;
  for (const [k, v] of Object.entries(change) as Array<[keyof UiNode, unknown]>) {
    const now = n[k];
    if (now === v || (typeof v === 'object' && JSON.stringify(now) === JSON.stringify(v))) continue;
    setUi(e, change);
    return;
  }
}

/** Shows or hides a node (and its subtree). */
export function show(world: World, e: EntityId, on: boolean): void {
  if (on === !hasComponent(world, e, Hidden)) return;
  if (on) removeComponent(world, e, Hidden);
  else addComponent(world, e, Hidden);
}

/** A full-screen root node (title, win and loading screens): its card in the middle; it takes the pointer. */
export const SCREEN = { left: 0, top: 0, right: 0, bottom: 0, align: 'center', justify: 'center', pointerEvents: 'auto' } as const;

const ARROWS = ['\u2191', '\u2197', '\u2192', '\u2198', '\u2193', '\u2199', '\u2190', '\u2196'];
const TOASTS = 4;

/** The HUD's nodes. */
export class Hud {
  card = -1;
  world = -1;
  coinsGot = -1;
  coinsTotal = -1;
  score = -1;
  time = -1;
  par = -1;
  goalOpen = -1;
  goal = -1;
  hint = -1;
  hintMode = -1;
  /** "Talk to <name>": shown while a villager is in reach (for touch; E / pad A do the same). */
  talk = -1;
  badge = -1;
  toasts: EntityId[] = [];
  dialogue = -1;
  dialogueName = -1;
  dialogueText = -1;
  choices = -1;
  dialogueFoot = -1;
}

/** A "label over value" cell of the card's row. */
function cell(world: World, row: EntityId, label: string, id: string): EntityId {
  const c = node(world, row, { kind: 'panel' });
  node(world, c, { kind: 'text', text: label, className: 'k' });
  return node(world, c, { kind: 'panel', id, style: { direction: 'row', align: 'end' } });
}

/** Startup: spawns the HUD's nodes, hidden until play. */
export function spawnHud({ world, resource }: SystemContext): void {
  const h = resource(Hud);
  h.card = node(world, null, { kind: 'panel', id: 'hud', className: 'card' }, Hidden);
  h.world = node(world, h.card, { kind: 'text', id: 'hud-world' });
  const row = node(world, h.card, { kind: 'panel', className: 'row', style: { direction: 'row' } });
  const coins = cell(world, row, 'coins', 'hud-coins');
  node(world, coins, { kind: 'text', text: '', className: 'coin' });
  h.coinsGot = node(world, coins, { kind: 'text', text: '0' });
  h.coinsTotal = node(world, coins, { kind: 'text', text: '/0', className: 'small' });
  h.score = node(world, cell(world, row, 'score', 'hud-score'), { kind: 'text', text: '0' });
  const time = cell(world, row, 'time / par', 'hud-time');
  h.time = node(world, time, { kind: 'text', text: '0:00' });
  h.par = node(world, time, { kind: 'text', text: '', className: 'small' });
  const goal = node(world, h.card, { kind: 'panel', id: 'hud-goal', style: { direction: 'row', gap: 5 } });
  h.goalOpen = node(world, goal, { kind: 'text', text: 'Gate open', className: 'open' });
  h.goal = node(world, goal, { kind: 'text', text: '' });

  h.hint = node(world, null, { kind: 'panel', id: 'hint', style: { direction: 'row' } }, Hidden);
  for (const t of ['WASD / arrows / left stick / click or tap: move', 'E / pad A: talk', 'F3: runtime overlay']) node(world, h.hint, { kind: 'text', text: t });
  h.hintMode = node(world, h.hint, { kind: 'text', text: 'B: blocking loaders off', id: 'hint-mode' });
  h.talk = node(world, null, { kind: 'button', id: 'talk', name: 'talk', text: 'Talk', className: 'prompt' }, Hidden);
  h.badge = node(world, null, { kind: 'text', id: 'blocking-badge', text: '' }, Hidden);

  const toasts = node(world, null, { kind: 'panel', id: 'toasts', style: { align: 'center', gap: 6 } });
  h.toasts = Array.from({ length: TOASTS }, () => node(world, toasts, { kind: 'text', text: '', className: 'toast' }, Hidden));

  h.dialogue = node(world, null, { kind: 'panel', id: 'dialogue', className: 'card', style: { pointerEvents: 'auto' } }, Hidden);
  node(world, h.dialogue, { kind: 'button', id: 'dialogue-close', name: 'dialogue-close', text: '\u00d7' });
  h.dialogueName = node(world, h.dialogue, { kind: 'text', id: 'dialogue-name', text: '' });
  h.dialogueText = node(world, h.dialogue, { kind: 'panel', id: 'dialogue-text', style: { gap: 3 } });
  h.choices = node(world, h.dialogue, { kind: 'panel', id: 'choices', style: { gap: 4 } });
  h.dialogueFoot = node(world, h.dialogue, { kind: 'text', id: 'dialogue-foot', text: '' });
}

/** Last: draws the HUD. */
export function drawHud({ resource, world, app }: SystemContext): void {
  document.getElementById('frames')!.textContent = String(app.frame);
  const h = resource(Hud);
  const game = resource(Game);
  const w = game.world;
  const playing = game.state === 'playing' || game.state === 'won';
  show(world, h.card, playing && !!w);
  show(world, h.hint, playing);
  if (w && playing) {
    const coins = game.coins(resource(ChunkStream));
    put(h.world, { text: w.name });
    put(h.coinsGot, { text: String(coins.got) });
    put(h.coinsTotal, { text: `/${coins.total}` });
    put(h.score, { text: String(game.score) });
    put(h.time, { text: clock(game.elapsed), className: game.elapsed > w.par_time ? 'over' : '' });
    put(h.par, { text: ` / ${clock(w.par_time)}` });
    const p = resource(PlayerState);
    const dx = w.exit_x - p.x;
    const dz = w.exit_z - p.z;
    const dir = ARROWS[((Math.round(Math.atan2(dx, -dz) / (Math.PI / 4)) % 8) + 8) % 8]!;
    const left = coins.total - coins.got;
    show(world, h.goalOpen, game.exitOpen);
    put(h.goal, { text: game.exitOpen ? `${dir} ${Math.hypot(dx, dz).toFixed(0)} tiles` : `Gate closed: find ${left} more coin${left === 1 ? '' : 's'}` });
  }
  // Toasts.
  const now = performance.now();
  while (game.toasts.length && game.toasts[0]!.until < now) game.toasts.shift();
  h.toasts.forEach((e, i) => {
    const t = game.toasts[i];
    show(world, e, !!t);
    if (t) put(e, { text: t.text, className: `toast ${t.kind}` });
  });

  // Blocking badge and hint.
  const b = resource(Blocking);
  show(world, h.badge, b.mode !== 'off' && playing);
  if (b.mode !== 'off') {
    const frames = resource(FrameWindow).figures();
    const npc = resource(Npcs).recent();
    put(h.badge, { text: `Blocking loaders: ${b.mode === 'main' ? 'main thread' : 'NPC worker'} \u00b7 frame max ${frames.max.toFixed(0)} ms \u00b7 NPC tick gap max ${npc.gapMax.toFixed(0)} ms (last 5 s)` });
  }
  put(h.hintMode, { text: `B: blocking loaders ${b.mode}`, data: { mode: b.mode } });

  const d = resource(Dialogue);
  const near = game.state === 'playing' && !d.open ? villagerInReach({ resource }) : null;
  show(world, h.talk, !!near);
  if (near) put(h.talk, { text: `Talk to ${near.name} (E / pad A)` });

  drawDialogue(world, h, d, resource(UiFocus));
}

function drawDialogue(world: World, h: Hud, d: Dialogue, focus: UiFocus): void {
  show(world, h.dialogue, d.open);
  if (!d.dirty) return;
  d.dirty = false;
  put(h.dialogueName, { text: d.name });
  for (const parent of [h.dialogueText, h.choices]) for (const c of childrenOf(world, parent)) despawnRecursive(world, c);
  if (d.pending) node(world, h.dialogueText, { kind: 'text', text: '\u2026', className: 'wait' });
  else if (d.error) node(world, h.dialogueText, { kind: 'text', text: d.error, className: 'error' });
  else for (const l of d.lines) node(world, h.dialogueText, { kind: 'text', text: l });
  const choices = d.choices.map((c, i) => node(world, h.choices, { kind: 'button', name: `choice-${i}`, text: `${i + 1}. ${c}` }));
  // The first choice has the focus: Enter / pad A takes it, the arrows / d-pad move it.
  focus.focused = choices[0] ?? null;
  put(h.dialogueFoot, {
    text: d.ended || d.error ? 'E / Esc / pad B: close' : d.pending ? '' : `1-${Math.max(1, d.choices.length)}, click or pad A to choose \u00b7 Esc / pad B: leave`,
  });
}

/** OnEnter(won): the win panel, with the world's result; it goes when `won` is left. */
export function showWon({ resource, world }: SystemContext): void {
  const game = resource(Game);
  const r = game.result;
  if (!r) return;
  const screen = node(world, null, { kind: 'panel', id: 'won', className: 'screen', style: SCREEN }, stateScoped(Flow, 'won'));
  const card = node(world, screen, { kind: 'panel', id: 'won-body', className: 'card' });
  node(world, card, { kind: 'text', text: `${r.world} cleared!`, className: 'h2' });
  const rows: Array<[string, string, string, string?]> = [
    ['Coins', `${r.coins} \u00d7 100`, String(r.coinPoints)],
    ['Time', `${clock(r.time)} (par ${clock(r.par)})`, r.time <= r.par ? `+${r.bonus}` : 'over par'],
  ];
  if (r.caught) rows.push(['Caught', `${r.caught} \u00d7 \u221250`, `\u2212${r.caught * 50}`]);
  rows.push(['Score', '', String(r.score), 'total']);
  for (const [a, b, c, cls] of rows) {
    const row = node(world, card, { kind: 'panel', className: `result${cls ? ` ${cls}` : ''}`, style: { direction: 'row', justify: 'space-between', gap: 16 } });
    for (const t of [a, b, c]) node(world, row, { kind: 'text', text: t });
  }
  const again = game.nextWorld() === 1 && game.worldCount > 1;
  if (again) node(world, card, { kind: 'text', text: `All ${game.worldCount} worlds cleared!`, className: 'all' });
  node(world, card, { kind: 'button', name: 'next', className: 'prompt', text: again ? 'Play again from world 1 (N / Enter / pad A)' : 'Next world (N / Enter / pad A)' });
}
