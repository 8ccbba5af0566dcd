/**
 * The HUD: a small card (world, coins, score, time / par, where the gate is),
 * a hint line, messages (toasts), the dialogue panel, the win panel and, when
 * a blocking loader mode is on, a badge with what it costs (frame interval
 * max, NPC tick gap max, over the last 5 s). DOM writes happen only when the
 * text changes.
 */
import type { SystemContext } from '@ltask-web/engine';
import { Blocking } from './blocking.ts';
import { ChunkStream } from './chunks.ts';
import { Dialogue } from './dialogue.ts';
import { FrameWindow } from './frames.ts';
import { Npcs } from './npcs.ts';
import { PlayerState } from './player.ts';
import { Game } from './rules.ts';

const $ = (id: string) => document.getElementById(id)!;
export const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** m:ss */
export const clock = (s: number) => {
  const t = Math.max(0, Math.floor(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

const written = new Map<string, string>();
/** Sets innerHTML only when it changed. */
function put(id: string, html: string): void {
  if (written.get(id) === html) return;
  written.set(id, html);
  $(id).innerHTML = html;
}

const ARROWS = ['\u2191', '\u2197', '\u2192', '\u2198', '\u2193', '\u2199', '\u2190', '\u2196'];

/** Wires the panels' clicks: dialogue choices, the title and win panels (tap to go on). */
export function bindHud(game: Game, dialogue: Dialogue): void {
  $('choices').addEventListener('click', (e) => {
    const i = (e.target as HTMLElement).closest<HTMLElement>('[data-choice]')?.dataset.choice;
    if (i !== undefined) dialogue.choose(Number(i));
  });
  $('dialogue-close').addEventListener('click', () => dialogue.close());
  $('title').addEventListener('click', () => (game.tapped = true));
  $('won').addEventListener('click', () => (game.tapped = true));
}

/** Last: draws the HUD. */
export function drawHud({ resource, app }: SystemContext): void {
  $('frames').textContent = String(app.frame);
  const game = resource(Game);
  const stream = resource(ChunkStream);
  const w = game.world;
  const playing = game.state === 'playing' || game.state === 'won';
  $('hud').hidden = !playing || !w;
  $('hint').hidden = !playing;
  if (w && playing) {
    const coins = game.coins(stream);
    const over = game.elapsed > w.par_time;
    put('hud-world', esc(w.name));
    put('hud-coins', `<span class="coin"></span>${coins.got}<small>/${coins.total}</small>`);
    put('hud-score', String(game.score));
    put('hud-time', `<span class="${over ? 'over' : ''}">${clock(game.elapsed)}</span><small> / ${clock(w.par_time)}</small>`);
    const p = resource(PlayerState);
    const dx = w.exit_x - p.x;
    const dz = w.exit_z - p.z;
    const dist = Math.hypot(dx, dz);
    const dir = ARROWS[((Math.round(Math.atan2(dx, -dz) / (Math.PI / 4)) % 8) + 8) % 8]!;
    put('hud-goal', game.exitOpen ? `<b class="open">Gate open</b> ${dir} ${dist.toFixed(0)} tiles` : `Gate closed: find ${coins.total - coins.got} more coin${coins.total - coins.got === 1 ? '' : 's'}`);
  }
  // Toasts.
  const now = performance.now();
  while (game.toasts.length && game.toasts[0]!.until < now) game.toasts.shift();
  put('toasts', game.toasts.map((t) => `<div class="toast ${t.kind}">${esc(t.text)}</div>`).join(''));

  // Blocking badge and hint.
  const b = resource(Blocking);
  const frames = resource(FrameWindow).figures();
  const npc = resource(Npcs).recent();
  const badge = $('blocking-badge');
  badge.hidden = b.mode === 'off' || !playing;
  if (b.mode !== 'off') {
    put('blocking-badge', `<b>Blocking loaders: ${b.mode === 'main' ? 'main thread' : 'NPC worker'}</b> frame max <em>${frames.max.toFixed(0)} ms</em> \u00b7 NPC tick gap max <em>${npc.gapMax.toFixed(0)} ms</em> <small>(last 5 s)</small>`);
  }
  put('hint-mode', b.mode);

  drawDialogue(resource(Dialogue));
}

function drawDialogue(d: Dialogue): void {
  const el = $('dialogue');
  el.hidden = !d.open;
  if (!d.dirty) return;
  d.dirty = false;
  put('dialogue-name', esc(d.name));
  let body: string;
  if (d.pending) body = '<p class="wait">\u2026</p>';
  else if (d.error) body = `<p class="error">${esc(d.error)}</p>`;
  else body = d.lines.map((l) => `<p>${esc(l)}</p>`).join('');
  put('dialogue-text', body);
  put('choices', d.choices.map((c, i) => `<button data-choice="${i}"><kbd>${i + 1}</kbd> ${esc(c)}</button>`).join(''));
  put('dialogue-foot', d.ended || d.error ? '<kbd>E</kbd> / <kbd>Esc</kbd> close' : d.pending ? '' : `<kbd>1</kbd>-<kbd>${Math.max(1, d.choices.length)}</kbd> or click to choose \u00b7 <kbd>Esc</kbd> leave`);
}

/** OnExit(won): the win panel goes. */
export function hideWon(): void {
  $('won').hidden = true;
}

/** OnEnter(won): the win panel, with the world's result. */
export function showWon({ resource }: SystemContext): void {
  const game = resource(Game);
  const r = game.result;
  $('won').hidden = !r;
  if (!r) return;
  const under = r.time <= r.par;
  put('won-body',
    `<h2>${esc(r.world)} cleared!</h2>` +
    `<table><tr><td>Coins</td><td>${r.coins} \u00d7 100</td><td>${r.coinPoints}</td></tr>` +
    `<tr><td>Time</td><td>${clock(r.time)} <small>(par ${clock(r.par)})</small></td><td>${under ? `+${r.bonus}` : '<small>over par</small>'}</td></tr>` +
    (r.caught ? `<tr><td>Caught</td><td>${r.caught} \u00d7 \u221250</td><td>\u2212${r.caught * 50}</td></tr>` : '') +
    `<tr class="total"><td>Score</td><td></td><td>${r.score}</td></tr></table>` +
    (game.nextWorld() === 1 && game.worldCount > 1
      ? `<p class="all">All ${game.worldCount} worlds cleared!</p><p class="prompt"><kbd>N</kbd> / <kbd>Enter</kbd>: play again from world 1</p>`
      : `<p class="prompt"><kbd>N</kbd> / <kbd>Enter</kbd>: next world</p>`));
}
