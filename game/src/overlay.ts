/**
 * The runtime overlay (F3 or the backquote key; hidden by default): a frame
 * time graph with p50 / p99 / max over the last 5 s (forgetting the start-up:
 * reset when the title card goes), the blocking loader modes side by side,
 * io latency and bandwidth controls (`io.configure`), chunk loads, the NPC
 * tick figures (from their `Npc` components), what the world bridge applied
 * this frame (`LtaskWorldStats`), the services (`LtaskStats`) and the native
 * carriers.
 */
import { RenderContext, type SystemContext } from '@ltask-web/engine';
import { Ltask, LtaskStats, LtaskWorldStats, type Runtime } from '@ltask-web/plugin-ltask/engine';
import { BLOCKING_MODES, Blocking, type BlockingMode } from './blocking.ts';
import { ChunkStream } from './chunks.ts';
import { FrameWindow, FRAME_WINDOW_MS } from './frames.ts';
import { esc } from './hud.ts';
import { Npcs } from './npcs.ts';

const $ = (id: string) => document.getElementById(id)!;

/** Figures of one blocking mode, measured while it was on. */
export interface ModeFigures {
  frameMax: number;
  frameP99: number;
  npcGapMax: number;
  chunkMs: number;
  chunks: number;
  /** Seconds measured. */
  seconds: number;
}

/** The overlay's state. */
export class Overlay {
  open = false;
  /** The runtime, once started (for the carriers). */
  rt: Runtime | null = null;
  /** What each blocking mode cost, last time it was on. */
  readonly modes: Partial<Record<BlockingMode, ModeFigures>> = {};
  /** io counters, refreshed every second while open. */
  io: Record<string, unknown> | null = null;
  ioAt = 0;
  /** Set by the DOM (B key or the buttons): the mode to switch to. */
  wantMode: BlockingMode | null = null;
  /** Set by the slider / select / `demo.setLatency`: io settings to apply. */
  wantIo: { latencyMs?: number; bandwidth?: number } | null = null;
  ioError = '';
  /** Set by the "reload chunks" button. */
  wantReload = false;
}

/** Wires the controls (toggle keys are read by `overlayInput`). */
export function bindOverlay(overlay: Overlay): void {
  const slider = $('io-latency') as HTMLInputElement;
  slider.addEventListener('input', () => ($('io-latency-value').textContent = `${slider.value} ms`));
  slider.addEventListener('change', () => (overlay.wantIo = { ...overlay.wantIo, latencyMs: Number(slider.value) }));
  const bw = $('io-bandwidth') as HTMLSelectElement;
  bw.addEventListener('change', () => (overlay.wantIo = { ...overlay.wantIo, bandwidth: Number(bw.value) }));
  $('modes').addEventListener('click', (e) => {
    const m = (e.target as HTMLElement).closest<HTMLElement>('[data-mode]')?.dataset.mode as BlockingMode | undefined;
    if (m) overlay.wantMode = m;
  });
  $('overlay-close').addEventListener('click', () => (overlay.open = false));
  $('reload-chunks').addEventListener('click', () => (overlay.wantReload = true));
  // F3 opens the browser's find bar: keep it for the overlay.
  window.addEventListener('keydown', (e) => {
    if (e.code === 'F3') e.preventDefault();
  });
}

/** Shows the io settings in the controls. */
export function showIo(b: Blocking): void {
  const slider = $('io-latency') as HTMLInputElement;
  slider.value = String(Math.min(1000, b.latencyMs));
  $('io-latency-value').textContent = `${b.latencyMs} ms`;
  ($('io-bandwidth') as HTMLSelectElement).value = String(b.bandwidth);
}

/** Update: applies the mode and io changes asked for by the DOM. */
export function overlayControls(ctx: SystemContext): void {
  const o = ctx.resource(Overlay);
  const b = ctx.resource(Blocking);
  const lt = ctx.resource(Ltask);
  if (o.wantReload) {
    o.wantReload = false;
    ctx.resource(ChunkStream).wantReload = true;
  }
  if (o.wantMode) {
    setMode(ctx, o.wantMode);
    o.wantMode = null;
  }
  if (o.wantIo && lt.status === 'ready') {
    const want = o.wantIo;
    o.wantIo = null;
    if (want.latencyMs !== undefined) b.latencyMs = want.latencyMs;
    if (want.bandwidth !== undefined) b.bandwidth = want.bandwidth;
    showIo(b);
    lt.call('io', 'configure', want).then(
      (r) => {
        const s = r as { latencyMs?: number; bandwidth?: number };
        if (typeof s?.latencyMs === 'number') b.latencyMs = s.latencyMs;
        if (typeof s?.bandwidth === 'number') b.bandwidth = s.bandwidth;
        showIo(b);
        o.ioError = '';
      },
      (e: Error) => (o.ioError = `io.configure: ${e.message}`),
    );
  }
  if (o.open && lt.status === 'ready' && performance.now() - o.ioAt > 1000) {
    o.ioAt = performance.now();
    lt.call('io', 'stats').then((s) => (o.io = s as Record<string, unknown>), () => {});
  }
}

/** Switches the blocking mode (remembering what the previous one cost). */
export function setMode(ctx: Pick<SystemContext, 'resource'>, mode: BlockingMode): void {
  const b = ctx.resource(Blocking);
  if (b.mode === mode) return;
  remember(ctx);
  b.mode = mode;
  b.since = performance.now();
}

/** Keeps the figures of the mode now on (measured since it was switched on). */
function remember(ctx: Pick<SystemContext, 'resource'>): void {
  const b = ctx.resource(Blocking);
  const since = Math.max(b.since, ctx.resource(FrameWindow).since);
  const seconds = (performance.now() - since) / 1000;
  if (seconds < 1) return;
  const f = ctx.resource(FrameWindow).figures(since);
  const n = ctx.resource(Npcs).recent(since);
  const loads = ctx.resource(ChunkStream).log.filter((l) => l.at >= since && l.mode === b.mode && l.ok);
  ctx.resource(Overlay).modes[b.mode] = {
    frameMax: f.max, frameP99: f.p99, npcGapMax: n.gapMax, chunkMs: loads.length ? loads.reduce((s, l) => s + l.ms, 0) / loads.length : 0, chunks: loads.length,
    seconds: Math.min(seconds, FRAME_WINDOW_MS / 1000),
  };
}

let lastTable = -1;
let lastSlow = 0;

/** Last: draws the overlay while open (graph every frame, tables a few times a second). */
export function drawOverlay(ctx: SystemContext): void {
  const o = ctx.resource(Overlay);
  const el = $('overlay');
  if (el.hidden === o.open) el.hidden = !o.open;
  document.body.dataset.overlay = o.open ? 'open' : 'closed';
  if (!o.open) return;
  const frames = ctx.resource(FrameWindow);
  const f = frames.figures();
  drawGraph(frames, f.p50, f.p99);
  const now = performance.now();
  if (now - lastSlow < 250) return;
  lastSlow = now;
  remember(ctx);
  const b = ctx.resource(Blocking);
  const info = ctx.getResource(RenderContext)?.renderer?.info.render;
  const draws = info ? ` \u00b7 ${info.calls} draw calls, ${(info.triangles / 1000).toFixed(0)}k triangles` : '';
  $('frame-figures').innerHTML = `p50 <b>${f.p50.toFixed(1)}</b> \u00b7 p99 <b>${f.p99.toFixed(1)}</b> \u00b7 max <b>${f.max.toFixed(0)}</b> ms \u00b7 ${f.fps.toFixed(0)} fps <small>(${f.frames} frames, last ${FRAME_WINDOW_MS / 1000} s${draws})</small>`;
  $('modes').innerHTML =
    `<tr><th>loaders (B)</th><th>frame max</th><th>frame p99</th><th>NPC gap max</th><th>chunk load</th></tr>` +
    BLOCKING_MODES.map((m) => {
      const r = o.modes[m];
      const cell = (v: number | undefined, unit = 'ms') => (v === undefined ? '<td>-</td>' : `<td>${v.toFixed(0)} ${unit}</td>`);
      return `<tr data-mode="${m}" class="${m === b.mode ? 'on' : ''}"><td><button data-mode="${m}">${MODE_NAMES[m]}</button></td>` +
        `${cell(r?.frameMax)}${cell(r?.frameP99)}${cell(r?.npcGapMax)}${r && r.chunks ? `<td>${r.chunkMs.toFixed(0)} ms \u00d7${r.chunks}</td>` : '<td>-</td>'}</tr>`;
    }).join('');
  const io = o.io as { reads?: number; bytes?: number; latencyMs?: number; bandwidth?: number } | null;
  $('io-figures').textContent = o.ioError || (io ? `io: ${io.reads ?? '?'} reads \u00b7 latency ${io.latencyMs ?? '?'} ms \u00b7 bandwidth ${io.bandwidth ? `${Math.round(io.bandwidth / 1024)} KB/s` : 'unlimited'}` : 'io: ...');
  if (b.mode === 'main') $('io-figures').textContent += ` \u00b7 main thread blocked ${(b.mainBlockedMs / 1000).toFixed(1)} s in ${b.mainReads} reads`;

  const stream = ctx.resource(ChunkStream);
  const loads = stream.log.slice(-5).reverse();
  $('chunk-figures').innerHTML = `<b>${stream.loaded.size}</b> loaded \u00b7 in flight: ${[...stream.inflight.keys()].map(esc).join(' ') || 'none'}` +
    (stream.lastError ? ` \u00b7 <span class="err">${esc(stream.lastError)}</span>` : '') +
    `<br><small>${loads.map((l) => `${l.key} ${l.mode} ${l.ms.toFixed(0)} ms/${l.reads} reads`).join(' \u00b7 ')}</small>`;

  drawNpcFigures(ctx);

  const stats = ctx.resource(LtaskStats);
  if (stats.refreshes !== lastTable) {
    lastTable = stats.refreshes;
    $('services').innerHTML = stats.rows.map((row) =>
      `<tr data-state="${esc(row.state)}" data-label="${esc(row.label)}"><td>${esc(row.label)}</td><td>${row.address}</td><td>${row.worker}</td>` +
      `<td class="state">${esc(row.state)}</td><td>${row.queue}</td><td>${row.handled}</td><td class="detail">${esc(row.detail ?? '')}</td></tr>`).join('');
    $('pending').textContent = String(stats.pending);
  }
  const carriers = o.rt?.carriers() ?? [];
  $('carriers').innerHTML = carriers.length
    ? carriers.map((c) => `<span class="carrier ${c.busy !== null ? 'busy' : ''}">${esc(c.module)}#${c.id} ${c.busy !== null ? 'busy' : 'idle'}</span>`).join(' ')
    : '<small>none started yet</small>';
}

/** The NPCs' tick figures, and what the world bridge did on the main thread this frame. */
function drawNpcFigures(ctx: SystemContext): void {
  const npcs = ctx.resource(Npcs);
  const s = npcs.summary();
  const r = npcs.recent();
  $('npc-figures').innerHTML = s.npcs.length
    ? `${s.npcs.length} NPCs \u00b7 ${s.ticks} ticks (${r.ticksPerS.toFixed(0)}/s) \u00b7 tick gap max <b>${r.gapMax.toFixed(0)}</b> ms, p99 <b>${r.gapP99.toFixed(0)}</b> ms <small>(last 5 s)</small> \u00b7 caught ${s.caught}`
    : esc(npcs.error || 'no NPCs yet');
  const w = ctx.getResource(LtaskWorldStats);
  const worst = w && w.applyHistory.length ? Math.max(...w.applyHistory) : 0;
  $('world-figures').innerHTML = w
    ? `world bridge: <b>${w.commands}</b> commands in ${w.records} steps applied this frame, apply <b>${w.applyMs.toFixed(2)}</b> ms ` +
      `(max ${worst.toFixed(2)} ms, last ${w.applyHistory.length} frames) \u00b7 snapshot <b>${w.publishMs.toFixed(2)}</b> ms \u00b7 ${w.entities} entities shared` +
      (w.skipped || w.stale ? ` \u00b7 skipped ${w.skipped}, stale ${w.stale}` : '')
    : 'world bridge: off';
}

const MODE_NAMES: Record<BlockingMode, string> = { off: 'off (service)', main: 'main thread', worker: 'NPC worker' };

/** The frame-time graph: one bar per frame of the window, lines at 16.7 and 33.3 ms, p50 / p99 marks. */
function drawGraph(frames: FrameWindow, p50: number, p99: number): void {
  const canvas = $('frame-graph') as HTMLCanvasElement;
  const g = canvas.getContext('2d');
  if (!g) return;
  const W = canvas.width;
  const H = canvas.height;
  g.clearRect(0, 0, W, H);
  g.fillStyle = '#0008';
  g.fillRect(0, 0, W, H);
  const top = 120; // ms at the top; taller frames are clipped (and red)
  const y = (ms: number) => H - (Math.min(ms, top) / top) * H;
  const now = performance.now();
  const n = frames.ms.length;
  for (let i = 0; i < n; i++) {
    const x = W - ((now - frames.t[i]!) / FRAME_WINDOW_MS) * W;
    const ms = frames.ms[i]!;
    const bw = Math.max(1.5, (ms / FRAME_WINDOW_MS) * W);
    g.fillStyle = ms > 100 ? '#ff5a4f' : ms > 34 ? '#ffc857' : '#6fdc8c';
    g.fillRect(x - bw, y(ms), bw, H - y(ms));
  }
  g.lineWidth = 1;
  for (const [ms, color] of [[16.7, '#ffffff40'], [33.3, '#ffffff30'], [100, '#ff5a4f40']] as const) {
    g.strokeStyle = color;
    g.beginPath();
    g.moveTo(0, y(ms) + 0.5);
    g.lineTo(W, y(ms) + 0.5);
    g.stroke();
  }
  g.setLineDash([4, 3]);
  for (const [ms, color, label] of [[p50, '#8cf', 'p50'], [p99, '#f9c', 'p99']] as const) {
    g.strokeStyle = color;
    g.beginPath();
    g.moveTo(0, y(ms) + 0.5);
    g.lineTo(W, y(ms) + 0.5);
    g.stroke();
    g.fillStyle = color;
    g.font = '10px ui-monospace, monospace';
    g.fillText(label, 2, Math.max(10, y(ms) - 2));
  }
  g.setLineDash([]);
  g.fillStyle = '#fff8';
  g.font = '10px ui-monospace, monospace';
  g.fillText(`${top} ms`, W - 42, 10);
}

/** PreUpdate (after input): F3 / backquote toggle the overlay, B cycles the loaders. */
export function overlayInput(ctx: SystemContext, keys: { justPressed(code: string): boolean }): void {
  const o = ctx.resource(Overlay);
  if (keys.justPressed('F3') || keys.justPressed('Backquote')) o.open = !o.open;
  if (keys.justPressed('KeyB')) o.wantMode = ctx.resource(Blocking).next();
}
