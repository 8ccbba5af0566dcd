/** What the runtime needs from a thread platform (browser Web Workers or Node worker_threads). */

/** A message port: the far end of a worker, or a worker's parent. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  /** Adds a message listener; returns a function that removes it. */
  listen(handler: (data: unknown) => void): () => void;
}

/** A started worker. */
export interface WorkerHandle extends Endpoint {
  /** Called once when the worker ends or fails to start, with a reason. */
  onExit(handler: (reason: string) => void): void;
  /** Stops the worker, even when it is blocked in `Atomics.wait`. */
  terminate(): Promise<void>;
}

/**
 * Tells the exit handlers once, with the first reason (none after
 * `silence()`); a handler added after it fired hears it at once (a worker
 * started ahead of its runtime may fail before the runtime listens).
 */
export class ExitSignal {
  private done = false;
  private reason: string | null = null;
  private readonly handlers: ((reason: string) => void)[] = [];

  on(h: (reason: string) => void): void {
    if (this.reason !== null) h(this.reason);
    else this.handlers.push(h);
  }

  fire(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    for (const h of this.handlers) h(reason);
  }

  /** A stop we asked for is not news. */
  silence(): void {
    this.done = true;
  }
}

/** Which worker program to start. */
export type WorkerKind = 'scheduler' | 'carrier';

/** The platform adapter. */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** Loads a module by URL (a service or native module given by path). */
  importModule(url: string): Promise<unknown>;
  /** Inside a worker: the endpoint to the thread that started it. */
  parentEndpoint(): Endpoint;
  /** Reads a text file (Node: a path or URL; browser: a URL relative to `base`). */
  readText(path: string, base: string): Promise<string>;
  /** Default base for relative paths. */
  defaultBase(): string;
  /** Logical cores. */
  cores(): number;
  /**
   * Inside a worker: `report` hears of each promise rejection that nothing
   * handled, in place of the platform's default (Node ends the thread; a
   * browser only writes it to its console).
   */
  onUnhandledRejection(report: (reason: unknown) => void): void;
}

/**
 * Throws a clear error when SharedArrayBuffer or cross-origin isolation is
 * missing. The runtime's shared service table, rings and suspendable calls need both.
 */
export function checkIsolation(): void {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
  if (isBrowser && g.crossOriginIsolated === true && typeof g.SharedArrayBuffer !== 'function') {
    // The headers did their part; the engine still hides SharedArrayBuffer.
    throw new Error(
      '[ltask] SharedArrayBuffer is not available although the page is cross-origin isolated (crossOriginIsolated is true): ' +
        'this browser hides it. WebKitGTK (Epiphany, MiniBrowser) exposes it only when started with the environment variable ' +
        'JSC_useSharedArrayBuffer=1; Safari and other engines expose it to isolated pages.',
    );
  }
  if (typeof g.SharedArrayBuffer !== 'function' || (isBrowser && g.crossOriginIsolated === false)) {
    throw new Error(
      '[ltask] SharedArrayBuffer is not available: the page is not cross-origin isolated. ' +
        'Serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
        '"Cross-Origin-Embedder-Policy: require-corp". With vite, add ltask() from "@ltask-web/plugin-ltask/vite" ' +
        'to your plugins (it sets both on the dev server and on vite preview); on a static host, set them in its ' +
        'headers file (Netlify/Cloudflare Pages: a _headers file; see the deployment guide in the @ltask-web/plugin-ltask README).',
    );
  }
}
