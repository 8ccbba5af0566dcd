// The fengari part of the vite plugin, without a build: which requires become
// the empty module (fengari's Node-only ones, for browser builds), and the patch.
import { describe, expect, it } from 'vitest';
import type { Plugin } from 'vite';
import { fengariPlugin, nodeOnlyId, patchFengari } from '../../../plugin-ltask/src/vite/fengari.ts';

const LOSLIB = '/p/node_modules/fengari/src/loslib.js';

/** Calls a hook of the plugin with a `this` that names the environment's consumer (none: the dev optimizer). */
function hook(p: Plugin, name: 'resolveId' | 'load', consumer: 'client' | 'server' | null, ...args: unknown[]): unknown {
  const h = p[name] as unknown as ((...a: unknown[]) => unknown) | { handler: (...a: unknown[]) => unknown };
  const fn = typeof h === 'function' ? h : h.handler;
  return fn.call(consumer ? { environment: { config: { consumer } } } : {}, ...args);
}

describe('fengari in a browser build', () => {
  it("fengari's Node-only requires resolve to the empty module, with or without node:", () => {
    for (const id of ['fs', 'os', 'path', 'child_process', 'crypto', 'tmp', 'readline-sync', 'node:fs']) {
      expect(nodeOnlyId(id, LOSLIB), id).toMatch(/^\0ltask-node-only:/);
    }
    expect(nodeOnlyId('fs', 'C:\\p\\node_modules\\fengari\\src\\liolib.js')).not.toBeNull();
    expect(nodeOnlyId('fs', '/p/node_modules/.pnpm/fengari@0.1.5/node_modules/fengari/src/lauxlib.js?v=1')).not.toBeNull();
  });

  it("what fengari needs in a browser (sprintf-js, its own files) and anyone else's requires resolve as usual", () => {
    expect(nodeOnlyId('sprintf-js', LOSLIB)).toBeNull();
    expect(nodeOnlyId('./lua.js', LOSLIB)).toBeNull();
    expect(nodeOnlyId('fs', '/p/src/main.ts')).toBeNull();
    expect(nodeOnlyId('fs', '/p/node_modules/tmp/lib/tmp.js')).toBeNull();
    expect(nodeOnlyId('fs', undefined)).toBeNull();
  });

  it('the plugin resolves them for browser builds and the optimizer, not for a server build; the module is empty', () => {
    const p = fengariPlugin();
    expect(hook(p, 'resolveId', 'client', 'tmp', LOSLIB)).toBe('\0ltask-node-only:tmp');
    expect(hook(p, 'resolveId', null, 'tmp', LOSLIB)).toBe('\0ltask-node-only:tmp');
    expect(hook(p, 'resolveId', 'server', 'tmp', LOSLIB)).toBeNull();
    expect(hook(p, 'load', 'client', '\0ltask-node-only:tmp')).toEqual({ code: 'module.exports = {};\n', map: null });
    expect(hook(p, 'load', 'client', LOSLIB)).toBeNull();
  });

  it('patches the FENGARICONF read and the stack-slot deletes of the VM files only', () => {
    const src = 'const conf = process.env.FENGARICONF;\ndelete L.stack[L.top];\n';
    expect(patchFengari(src, '/p/node_modules/fengari/src/ldo.js')).toBe(
      'const conf = (typeof process !== "undefined" && process.env && process.env.FENGARICONF);\nL.stack[L.top] = undefined;\n',
    );
    expect(patchFengari(src, '/p/node_modules/fengari/src/loslib.js')).toBeNull();
    expect(patchFengari('nothing to patch', '/p/node_modules/fengari/src/ldo.js')).toBeNull();
  });

  it('reuses call frames: the patched VM keeps a CallInfo for the next call (applying twice changes nothing)', () => {
    const ldo = 'const luaD_poscall = function(L, ci, firstResult, nres) {\n    let res = ci.funcOff;\n    L.ci = ci.previous;\n    L.ci.next = null;\n    return 0;\n};\n';
    const once = patchFengari(ldo, '/p/node_modules/fengari/src/ldo.js')!;
    expect(once).not.toContain('L.ci.next = null');
    expect(patchFengari(once, '/p/node_modules/fengari/src/ldo.js')).toBeNull();
    // Another fengari whose function reads otherwise: a clear error, not a VM patched halfway.
    expect(() => patchFengari('const luaD_poscall = function(L) {\n    L.ci = L.ci.previous;\n};\n', '/p/node_modules/fengari/src/ldo.js')).toThrow(/cannot patch fengari's ldo\.js/);
  });
});
