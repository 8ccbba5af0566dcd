/**
 * fengari (the Lua VM, CommonJS) as the vite plugin bundles it into the
 * runtime's workers, in builds, worker bundles and the dev optimizer:
 *
 * - patched: its `process.env.FENGARICONF` read is guarded (a browser worker
 *   has no `process`; `define` would not do, fengari tests `typeof process`
 *   elsewhere to decide it runs in Node), and its `delete L.stack[i]` slot
 *   clears become `= undefined` (V8 keeps the stack a fast array: a Lua
 *   message costs about half as much);
 * - without its Node-only requires: fengari's `io` library, `os.tmpname`,
 *   `os.execute`, `debug.debug`, its file loaders and its Windows path check
 *   `require` `fs`, `os`, `path`, `child_process`, `tmp` and `readline-sync`,
 *   each inside a branch that runs only when `typeof process !== "undefined"`
 *   (Node). In a browser build those requires resolve to an empty module, so
 *   vite has no Node built-in to externalize (one warning each) and `tmp` and
 *   `readline-sync` (about 23 kB) stay out of the worker. Builds for a server
 *   (SSR, consumer `server`) keep them.
 */
import type { Plugin } from 'vite';

const FENGARI_SOURCE = /fengari[\\/]src[\\/][^\\/]+\.js$/;
const FENGARI_PATCHED = /fengari[\\/]src[\\/](luaconf|ldo|lvm|lapi|ltm|ldebug|lparser)\.js$/;
const CONF_NEEDLE = 'process.env.FENGARICONF';
const CONF_GUARDED = '(typeof process !== "undefined" && process.env && process.env.FENGARICONF)';
const STACK_DELETE = /delete (\w+)\.stack\[([^\]]+)\];/g;

/** What fengari requires only under Node (with or without the `node:` prefix). */
const NODE_ONLY = new Set(['fs', 'os', 'path', 'child_process', 'crypto', 'tmp', 'readline-sync']);
/** The id of the empty module those requires get in a browser build (`\0`: a virtual module). */
const EMPTY = '\0ltask-node-only:';

/** fengari's source with the guard and the stack-slot patch applied (null: not a fengari file). */
export function patchFengari(code: string, id: string): string | null {
  if (!FENGARI_PATCHED.test(id.split('?')[0]!)) return null;
  let out = code.split(CONF_NEEDLE).join(CONF_GUARDED);
  out = out.replace(STACK_DELETE, (_, l: string, i: string) => `${l}.stack[${i}] = undefined;`);
  return out === code ? null : out;
}

/**
 * The id a fengari `require(source)` resolves to in a browser build: the empty
 * module for a Node-only one, null for anything else (resolved as usual).
 */
export function nodeOnlyId(source: string, importer: string | undefined): string | null {
  if (!importer || !FENGARI_SOURCE.test(importer.split('?')[0]!)) return null;
  const name = source.startsWith('node:') ? source.slice(5) : source;
  return NODE_ONLY.has(name) ? EMPTY + name : null;
}

/** The plugin: fengari patched and without its Node-only requires, for browser builds. */
export function fengariPlugin(): Plugin {
  return {
    name: 'ltask:fengari',
    enforce: 'pre',
    resolveId(source, importer) {
      // No environment: the dev optimizer's bundle, which is for the browser.
      if (this.environment?.config.consumer === 'server') return null;
      return nodeOnlyId(source, importer);
    },
    load(id) {
      // Never read: fengari only uses it where `process` exists.
      return id.startsWith(EMPTY) ? { code: 'module.exports = {};\n', map: null } : null;
    },
    transform(code, id) {
      const out = patchFengari(code, id);
      return out === null ? null : { code: out, map: null };
    },
  };
}
