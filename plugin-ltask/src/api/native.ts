/**
 * The native module contract: a JS or wasm library whose functions are
 * synchronous and may call synchronous callbacks (a "read this file now").
 *
 * Its code runs on carrier workers, never on the service's home worker. A Lua
 * function passed as an argument arrives here as a synchronous JS function: the
 * carrier blocks in `Atomics.wait` while the function runs as a coroutine of
 * the calling service (with the whole service API: call the io service, sleep...).
 *
 * @example
 * ```ts
 * export default {
 *   name: 'concat',
 *   instances: { max: 2 },
 *   functions: {
 *     concat(paths: string[], cb: { read(p: string): unknown }) {
 *       return paths.map((p) => asText(cb.read(p))).join('');
 *     },
 *   },
 * } satisfies NativeModule;
 * ```
 */
export interface NativeModule {
  /** What Lua asks for: `ltask.native "name"`. */
  name: string;
  /**
   * `'single'`: one carrier, calls queued (libraries with global state).
   * `{ max }`: a pool of up to `max` carriers (default `{ max: 2 }`).
   */
  instances?: 'single' | { max: number };
  /** Runs once on each carrier before its first call (e.g. instantiate wasm). */
  setup?(): void | Promise<void>;
  /**
   * The functions. They receive payload values: strings (JS strings when valid
   * UTF-8, else Uint8Array: use {@link asBytes} / {@link asText}), numbers,
   * booleans, arrays (Lua sequences), plain objects (other tables), Uint8Array,
   * and synchronous functions (Lua callbacks). They may return a Promise: the
   * carrier awaits it, while callbacks stay synchronous.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  functions: Record<string, (...args: any[]) => unknown>;
}

/**
 * A native module bundled with its own carrier worker: what an import with the
 * `?ltask-native` suffix gives under the ltask() vite plugin. It works in the
 * dev server and in a production build.
 *
 * @example
 * ```ts
 * import sqlite from './natives/sqlite.ts?ltask-native';
 * app.addPlugins(new LtaskPlugin({ natives: { sqlite } }));
 * ```
 */
export interface NativeBundle {
  /** The URL of the carrier worker script that holds the module. */
  readonly carrier: string;
}

/** How a native module is named to the runtime: a module URL/path (Node, or a plain JS module) or a bundle. */
export type NativeSource = string | URL | NativeBundle;
