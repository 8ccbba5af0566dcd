/**
 * The loading overlay (`#loading` in index.html): real progress until the first
 * scene is ready, while the App already renders and runs its systems behind it.
 *
 * Steps, each with its share of the bar: the page's scripts ran (10%), the
 * ltask runtime started (workers up, 40%), the first Lua reply arrived (25%),
 * the first scene's assets loaded (25%, by count and bytes of their handles).
 * Then the overlay fades out. When the runtime is `unavailable` (e.g. the page
 * is not cross-origin isolated) the overlay goes as soon as the assets are in,
 * and `#runtime-error` shows why, with the headers to set.
 *
 * For tests the overlay carries `data-state` (`loading` | `done` |
 * `unavailable`), `data-progress` (0-100), `data-step` and one
 * `data-<step>` per step; `document.body.dataset` gets the start-up figures
 * (`runtimeReadyMs`, `firstReplyMs`: ms from the LtaskPlugin's start;
 * `framesAtRuntimeReady`, `framesAtFirstReply`, `loadedMs`).
 */
import type { Handle, SystemContext } from '@ltask-web/engine';
import { Ltask } from '@ltask-web/plugin-ltask/engine';

/** One line of the progress history (for the console and tests). */
export interface LoadingMark {
  /** `performance.now()`. */
  t: number;
  frame: number;
  progress: number;
  step: string;
}

type StepState = 'waiting' | 'active' | 'done' | 'failed';

/** What the overlay shows; systems fill it, `trackLoading` draws it. */
export class Loading {
  /** The first scene's assets. */
  readonly handles: Array<Handle<unknown>> = [];
  /** Frame at which the first Lua reply was delivered (-1: not yet). */
  firstReplyFrame = -1;
  /** Set when the first request failed although the runtime is up (the HUD shows the error). */
  replyFailed = false;
  /** Frame at which the runtime was seen ready (or unavailable). */
  runtimeFrame = -1;
  state: 'loading' | 'done' | 'unavailable' = 'loading';
  /** 0 to 100. */
  progress = 0;
  /** How the bar moved: one mark per change of step or of whole percent. */
  readonly history: LoadingMark[] = [];
  /** The overlay's text line. */
  text = '';

  /** Adds an asset of the first scene to wait for. */
  track<T>(handle: Handle<T>): Handle<T> {
    this.handles.push(handle as Handle<unknown>);
    return handle;
  }

  /** Counts and bytes of the tracked assets. */
  assets(): { settled: number; total: number; failed: number; fraction: number; bytesLoaded: number; bytesTotal: number } {
    let settled = 0;
    let failed = 0;
    let bytesLoaded = 0;
    let bytesTotal = 0;
    let countDone = 0;
    let countAll = 0;
    for (const h of this.handles) {
      const p = h.progress;
      countAll += p.total;
      countDone += p.loaded + p.failed;
      bytesLoaded += p.bytesLoaded;
      bytesTotal += p.bytesTotal;
      if (h.state === 'loaded' || h.state === 'failed') settled++;
      if (h.state === 'failed') failed++;
    }
    const byCount = countAll > 0 ? countDone / countAll : 0;
    // Bytes move while a file streams in; a handle is not done until decoded, so stop short of 1.
    const byBytes = bytesTotal > 0 ? Math.min(0.95, bytesLoaded / bytesTotal) : 0;
    const total = this.handles.length;
    const fraction = total === 0 ? 1 : settled === total ? 1 : Math.max(byCount, byBytes * 0.95);
    return { settled, total, failed, fraction, bytesLoaded, bytesTotal };
  }
}

const SHARE = { page: 10, runtime: 40, reply: 25, assets: 25 } as const;

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

let lastDrawn = '';
let hideTimer: ReturnType<typeof setTimeout> | undefined;

/** Last: computes progress from the runtime, the first reply and the assets; draws the overlay. */
export function trackLoading({ resource, app }: SystemContext): void {
  const loading = resource(Loading);
  const lt = resource(Ltask);
  const body = document.body.dataset;
  const t = lt.timings;
  if (t.start && !body.runtimeStartMs) body.runtimeStartMs = t.start.toFixed(1);
  if (lt.status !== 'starting' && loading.runtimeFrame < 0) {
    loading.runtimeFrame = app.frame;
    body.framesAtRuntimeReady = String(app.frame);
    if (t.ready) body.runtimeReadyMs = (t.ready - t.start).toFixed(1);
  }
  if (t.firstReply && !body.firstReplyMs) body.firstReplyMs = (t.firstReply - t.start).toFixed(1);
  if (loading.firstReplyFrame >= 0 && !body.framesAtFirstReply) body.framesAtFirstReply = String(loading.firstReplyFrame);
  if (loading.state !== 'loading') return;

  const assets = loading.assets();
  const steps: Record<'runtime' | 'reply' | 'assets', StepState> = {
    runtime: lt.status === 'ready' ? 'done' : lt.status === 'unavailable' ? 'failed' : 'active',
    reply: loading.firstReplyFrame >= 0 ? 'done' : lt.status === 'unavailable' || loading.replyFailed ? 'failed' : lt.status === 'ready' ? 'active' : 'waiting',
    assets: assets.settled === assets.total ? (assets.failed > 0 ? 'failed' : 'done') : 'active',
  };
  const progress = Math.round(
    SHARE.page +
      (steps.runtime === 'done' ? SHARE.runtime : 0) +
      (steps.reply === 'done' || steps.reply === 'failed' ? SHARE.reply : 0) +
      SHARE.assets * assets.fraction,
  );
  const since = (performance.now() - (t.start || performance.now())).toFixed(0);
  let step: string;
  if (steps.runtime === 'active') {
    step = 'runtime';
    loading.text = `Starting the ltask runtime (workers, Lua VMs, io)... ${since} ms`;
  } else if (steps.reply === 'active') {
    step = 'reply';
    loading.text = `Waiting for the first Lua reply (hello.lua)... ${since} ms`;
  } else if (steps.assets === 'active') {
    step = 'assets';
    loading.text = `Loading the scene: ${assets.settled}/${assets.total} assets, ${kb(assets.bytesLoaded)} of ${kb(assets.bytesTotal)}`;
  } else {
    step = lt.status === 'unavailable' ? 'unavailable' : 'done';
    loading.text = lt.status === 'unavailable' ? 'The ltask runtime is unavailable' : 'Ready';
  }
  const finished = step === 'done' || step === 'unavailable';
  loading.progress = finished ? 100 : Math.min(99, progress);
  const last = loading.history.at(-1);
  if (!last || last.step !== step || last.progress !== loading.progress) {
    loading.history.push({ t: performance.now(), frame: app.frame, progress: loading.progress, step });
  }

  const el = document.getElementById('loading');
  if (!el) return;
  const key = `${step}|${loading.progress}|${loading.text}|${steps.runtime}|${steps.reply}|${steps.assets}`;
  if (key !== lastDrawn) {
    lastDrawn = key;
    el.dataset.progress = String(loading.progress);
    el.dataset.step = step;
    el.dataset.runtime = steps.runtime;
    el.dataset.reply = steps.reply;
    el.dataset.assets = `${assets.settled}/${assets.total}`;
    el.setAttribute('aria-valuenow', String(loading.progress));
    (document.getElementById('loading-fill') as HTMLElement).style.width = `${loading.progress}%`;
    document.getElementById('loading-text')!.textContent = loading.text;
    document.getElementById('loading-percent')!.textContent = `${loading.progress}%`;
    for (const li of el.querySelectorAll<HTMLElement>('li[data-step]')) {
      li.dataset.status = steps[li.dataset.step as keyof typeof steps] ?? 'waiting';
    }
  }
  if (!finished) return;

  loading.state = step === 'done' ? 'done' : 'unavailable';
  el.dataset.state = loading.state;
  body.loaded = loading.state;
  body.loadedMs = (performance.now() - (t.start || 0)).toFixed(1);
  if (lt.status === 'unavailable') {
    const banner = document.getElementById('runtime-error');
    if (banner) {
      document.getElementById('runtime-error-text')!.textContent = lt.error?.message ?? 'unknown error';
      banner.hidden = false;
    }
  }
  el.classList.add('leaving'); // fades out (CSS), then leaves the layout
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => (el.hidden = true), 400);
}
