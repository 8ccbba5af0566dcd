// fengari clears Lua stack slots with `delete L.stack[i]`, which turns the stack
// array into a slow dictionary-mode object in V8. Storing `undefined` instead keeps
// the same meaning (fengari reads an empty slot as undefined either way) and
// measured the Lua message path about twice as fast (docs/ARCHITECTURE.md).
// Runs on `npm install` / `npm ci` (postinstall); idempotent.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let root;
try {
  root = dirname(require.resolve('fengari/package.json'));
} catch {
  process.exit(0); // fengari not installed (yet): nothing to patch
}
const FILES = ['ldo.js', 'lvm.js', 'lapi.js', 'ltm.js', 'ldebug.js', 'lparser.js'];
const DELETE = /delete (\w+)\.stack\[([^\]]+)\];/g;
let changed = 0;
for (const f of FILES) {
  const path = join(root, 'src', f);
  const src = readFileSync(path, 'utf8');
  const out = src.replace(DELETE, (_, l, i) => {
    changed++;
    return `${l}.stack[${i}] = undefined;`;
  });
  if (out !== src) writeFileSync(path, out);
}
console.log(`patch-fengari: ${changed} stack slot deletions replaced${changed === 0 ? ' (already patched)' : ''}`);
