/**
 * Starting workers in the browser (host side only). The two `new Worker(new URL(...))`
 * literals live here and nowhere else: vite bundles each as a worker entry, and
 * no worker imports this module, so worker bundles never import each other.
 */
import { CLOSED } from './browser.ts';
import { describeWorkerFailure, explainWorkerError } from './diagnose.ts';
import { ExitSignal, type WorkerHandle, type WorkerKind } from './types.ts';

/** A Worker that remembers its script URL, so a failure can be diagnosed. */
interface Traced extends globalThis.Worker {
  readonly scriptUrl: string;
}

function create(kind: WorkerKind, name: string, script?: string): Traced {
  // Shadows the global within this function: the literals below stay
  // `new Worker(new URL(...))`, the pattern bundlers rewrite.
  const Worker = class extends globalThis.Worker implements Traced {
    readonly scriptUrl: string;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.scriptUrl = String(url);
    }
  };
  if (script !== undefined) return new Worker(script, { type: 'module', name });
  switch (kind) {
    case 'scheduler':
      // The literal `new URL(..., import.meta.url)` lets vite bundle the worker.
      return new Worker(new URL('../entries/scheduler-worker.ts', import.meta.url), { type: 'module', name });
    case 'carrier':
      return new Worker(new URL('../entries/carrier-worker.ts', import.meta.url), { type: 'module', name });
  }
}

export function startWorker(kind: WorkerKind, name: string, script?: string): WorkerHandle {
  const w = create(kind, name, script);
  const exit = new ExitSignal();
  /** It has spoken to the page, so it loaded: a failure since is its own code's, not its script's. */
  let running = false;
  w.addEventListener('error', (e) => {
    e.preventDefault();
    if (e.message) exit.fire(explainWorkerError(name, e.message, running));
    else if (running) exit.fire(`worker ${name} failed: an exception outside any handler (the browser gave no message)`);
    else void describeWorkerFailure(name, w.scriptUrl).then((r) => exit.fire(r));
  });
  // The browser says nothing of a worker that ends itself: it says so (browser.ts).
  w.addEventListener('message', (e) => {
    running = true;
    if (e.data === CLOSED) exit.fire(`worker ${name} closed itself (close() was called in it)`);
  });
  return {
    postMessage: (m, t) => w.postMessage(m, t ?? []),
    listen(h) {
      const l = (e: MessageEvent) => {
        if (e.data !== CLOSED) h(e.data);
      };
      w.addEventListener('message', l);
      return () => w.removeEventListener('message', l);
    },
    onExit: (h) => exit.on(h),
    terminate() {
      exit.silence();
      w.terminate(); // a browser worker stops at once: nothing to wait for
      return Promise.resolve();
    },
  };
}

