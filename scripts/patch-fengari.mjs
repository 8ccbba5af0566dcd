// Patches this repository's copy of fengari as the vite plugin patches it in
// browser builds (plugin-ltask/src/vite/fengari.ts `patchFengari`, the one
// source of the patch): `delete L.stack[i]` becomes `= undefined` (V8 keeps the
// stack a fast array: the Lua message path about twice as fast), and the
// constructors of strings, tables, closures and threads count what they
// allocate (constant-time `collectgarbage("count")` and memory limit).
// Runs on `npm install` / `npm ci` (postinstall); idempotent.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const require = createRequire(import.meta.url);
let root;
try {
  root = dirname(require.resolve('fengari/package.json'));
} catch {
  process.exit(0); // fengari not installed (yet): nothing to patch
}
const { patchFengari } = await tsImport('../plugin-ltask/src/vite/fengari.ts', import.meta.url);
const patched = [];
for (const f of readdirSync(join(root, 'src'))) {
  const path = join(root, 'src', f);
  const out = patchFengari(readFileSync(path, 'utf8'), path);
  if (out !== null) {
    writeFileSync(path, out);
    patched.push(f);
  }
}
console.log(`patch-fengari: ${patched.length ? patched.join(', ') : 'already patched'}`);
