/**
 * fengari (the Lua VM, CommonJS) as the vite plugin bundles it into the
 * runtime's workers, in builds, worker bundles and the dev optimizer:
 *
 * - patched: its `process.env.FENGARICONF` read is guarded (a browser worker
 *   has no `process`; `define` would not do, fengari tests `typeof process`
 *   elsewhere to decide it runs in Node), and its `delete L.stack[i]` slot
 *   clears become `= undefined` (V8 keeps the stack a fast array: a Lua
 *   message costs about half as much);
 * - call frames (CallInfo) reused from call to call, as C Lua does ({@link REUSED});
 * - counting: the constructors of strings, tables, closures, userdata and
 *   threads and a table's new entries add a size estimate to one counter per
 *   thread (`globalThis[Symbol.for('ltask.fengari.allocated')]`), from which a
 *   Lua service's `collectgarbage("count")` and memory limit know, in constant
 *   time, how much it allocated since its memory was last walked
 *   (worker/lua/limits.ts; the same sizes as that walk);
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
const FENGARI_PATCHED = /fengari[\\/]src[\\/](luaconf|ldo|lvm|lapi|ltm|ldebug|lparser|lstring|ltable|lobject|lstate)\.js$/;
const CONF_NEEDLE = 'process.env.FENGARICONF';
const CONF_GUARDED = '(typeof process !== "undefined" && process.env && process.env.FENGARICONF)';
const STACK_DELETE = /delete (\w+)\.stack\[([^\]]+)\];/g;

/** What fengari requires only under Node (with or without the `node:` prefix). */
const NODE_ONLY = new Set(['fs', 'os', 'path', 'child_process', 'crypto', 'tmp', 'readline-sync']);
/** The id of the empty module those requires get in a browser build (`\0`: a virtual module). */
const EMPTY = '\0ltask-node-only:';

/** The key of the allocation counter on each thread's global object. */
export const ALLOCATED_KEY = 'ltask.fengari.allocated';
const COUNTER = '__ltaskAllocated';
const PRELUDE = `const ${COUNTER} = (globalThis[Symbol.for("${ALLOCATED_KEY}")] ??= { bytes: 0 });\n`;
/**
 * Where each file adds to the counter: a constructor's (or function's) first
 * line, and what it adds. The sizes are the memory walk's (limits.ts `SIZE`).
 */
const COUNTED: Readonly<Record<string, readonly (readonly [RegExp, string])[]>> = {
  lstring: [[/class TString \{\s*constructor\(L, str\) \{/, '100 + str.length']],
  ltable: [
    [/class Table \{\s*constructor\(L\) \{/, '400'],
    [/const add = function\(t, hash, key, value\) \{/, '250'],
  ],
  lobject: [
    [/class LClosure \{\s*constructor\(L, n\) \{/, '200 + 24 * n'],
    [/class CClosure \{\s*constructor\(L, f, n\) \{/, '200 + 24 * n'],
    [/class Udata \{\s*constructor\(L, size\) \{/, '100'],
  ],
  lstate: [[/class lua_State \{\s*constructor\(g\) \{/, '1024']],
};

/**
 * Call frames reused, as Lua's own `next_ci` does: fengari made a new
 * CallInfo for every call and dropped it on return (`L.ci.next = null`), about
 * a third of the garbage of a Lua message. With the patch a thread keeps its
 * list of frames and a call takes the next one (every field a call reads is
 * set again by `luaD_precall`, as in C Lua). Each entry: the function it
 * changes, fengari 0.1.5's text, and the patched text (which the first no
 * longer matches: applying twice changes nothing).
 */
const REUSED: Readonly<Record<string, readonly (readonly [string, string, string])[]>> = {
  lstate: [[
    'const luaE_extendCI = ',
    'const luaE_extendCI = function(L) {\n    let ci = new CallInfo();\n',
    'const luaE_extendCI = function(L) {\n    let ci = L.ci.next; /* ltask: the next frame, kept from an earlier call */\n    if (ci !== null) {\n        L.ci = ci;\n        return ci;\n    }\n    ci = new CallInfo();\n',
  ]],
  ldo: [[
    'const luaD_poscall = ',
    '    L.ci = ci.previous;\n    L.ci.next = null;\n',
    '    L.ci = ci.previous; /* ltask: ci stays in the list for the next call */\n',
  ]],
};

/**
 * fengari's source with the guard, the stack-slot patch and the allocation
 * counting applied (null: not a fengari file, or nothing to change). Applying
 * it to patched source changes nothing. Throws when a counted line is not
 * where fengari 0.1.5 has it (another fengari version).
 */
export function patchFengari(code: string, id: string): string | null {
  const file = FENGARI_PATCHED.exec(id.split('?')[0]!)?.[1];
  if (!file) return null;
  let out = code.includes(CONF_GUARDED) ? code : code.split(CONF_NEEDLE).join(CONF_GUARDED);
  out = out.replace(STACK_DELETE, (_, l: string, i: string) => `${l}.stack[${i}] = undefined;`);
  for (const [fn, from, to] of REUSED[file] ?? []) {
    if (out.includes(from)) out = out.replace(from, to);
    else if (out.includes(fn) && !out.includes(to)) throw new Error(`[ltask] cannot patch fengari's ${file}.js: ${JSON.stringify(from.slice(0, 40))} not found (fengari 0.1.5 expected)`);
  }
  const counted = COUNTED[file];
  if (counted && !out.includes(COUNTER)) {
    for (const [at, size] of counted) {
      if (!at.test(out)) throw new Error(`[ltask] cannot patch fengari's ${file}.js: ${String(at)} not found (fengari 0.1.5 expected)`);
      out = out.replace(at, (m) => `${m}\n        ${COUNTER}.bytes += ${size};`);
    }
    out = out.replace(/^("use strict";\n)?/, (m) => m + PRELUDE);
  }
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
