/**
 * The HUD: frame counter, FPS and frame-time percentiles (engine diagnostics),
 * the runtime's services (LtaskStats), the last waits, level / model / dialogue
 * panels. DOM writes are throttled to a few per second, except the frame counter.
 */
import { FrameDiagnostics, type SystemContext } from '@ltask-web/engine';
import { LtaskStats } from '@ltask-web/plugin-ltask/engine';
import type { Actions } from './actions.ts';
import { Waits } from './actions.ts';
import { Dialogue } from './dialogue.ts';
import { LevelGrid } from './level.ts';

const $ = (id: string) => document.getElementById(id)!;
const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Text the HUD shows about things the systems learnt (set by systems, drawn by `drawHud`). */
export class HudState {
  reply = 'waiting...';
  model = 'not packed';
  error = '';
}

/** Wires the buttons and the dialogue choices to the action queue. */
export function bindHud(actions: Actions, dialogue: Dialogue): void {
  $('btn-level').addEventListener('click', () => actions.push('level'));
  $('btn-model').addEventListener('click', () => actions.push('model'));
  $('btn-dialogue').addEventListener('click', () => actions.push('dialogue'));
  $('choices').addEventListener('click', (e) => {
    const i = (e.target as HTMLElement).dataset.choice;
    if (i !== undefined) dialogue.choose(Number(i));
  });
}

let lastDraw = -Infinity;
let lastRefresh = -1;

/** Last: frame counter every frame; the rest at 5 Hz. */
export function drawHud({ resource, app }: SystemContext): void {
  $('frames').textContent = String(app.frame);
  const dialogue = resource(Dialogue);
  if (dialogue.dirty) {
    dialogue.dirty = false;
    $('dialogue').innerHTML = dialogue.lines.map((l) => `<p>${esc(l)}</p>`).join('');
    $('choices').innerHTML = dialogue.choices.map((c, i) => `<button data-choice="${i}">${i + 1}. ${esc(c)}</button>`).join('');
  }
  const now = performance.now();
  if (now - lastDraw < 200) return;
  lastDraw = now;

  const hud = resource(HudState);
  $('reply').textContent = hud.reply;
  $('model').textContent = hud.model;
  $('error').textContent = hud.error;

  const f = resource(FrameDiagnostics).frameStats();
  $('fps').textContent = f.fps.toFixed(0);
  $('p50').textContent = f.p50.toFixed(1);
  $('p99').textContent = f.p99.toFixed(1);

  const grid = resource(LevelGrid);
  const lv = grid.level;
  if (lv) {
    $('level').innerHTML = `<b>${esc(lv.name)}</b> (#${lv.index}/${lv.total}, world ${lv.world}, difficulty ${lv.difficulty}, par ${lv.par_time}s)` +
      `<small>${lv.reads} page reads, ${lv.ms.toFixed(0)} ms in the service</small><small>${esc(lv.description)}</small>`;
    document.body.dataset.level = String(lv.id);
  }

  const waits = resource(Waits);
  const open = [...waits.open.keys()];
  $('waiting').textContent = open.length ? `waiting for: ${open.join(', ')}` : '';
  $('waits').innerHTML = waits.done.slice(-4).reverse().map((w) =>
    `<tr><td>${esc(w.what)}</td><td>${w.ms.toFixed(0)} ms</td><td>${w.frames}</td><td>${w.p50.toFixed(1)}</td><td>${w.p99.toFixed(1)}</td><td>${w.max.toFixed(1)}</td></tr>`).join('');

  const stats = resource(LtaskStats);
  $('runtime').textContent = stats.status;
  // The full message (which headers to set, and where) is in the #runtime-error banner.
  if (stats.status === 'unavailable') $('error').textContent = 'The ltask runtime is unavailable: see the message below.';
  if (stats.refreshes !== lastRefresh) {
    lastRefresh = stats.refreshes;
    $('services').innerHTML = stats.rows.map((r) =>
      `<tr data-state="${esc(r.state)}" data-label="${esc(r.label)}"><td>${r.address}</td><td>${esc(r.label)}</td><td>${r.worker}</td>` +
      `<td class="state">${esc(r.state)}</td><td>${r.queue}</td><td>${r.handled}</td><td>${r.cpuMs.toFixed(0)}</td>` +
      `<td class="detail">${esc(r.detail ?? '')}</td></tr>`).join('');
    $('pending').textContent = String(stats.pending);
  }
}
