#!/usr/bin/env node
// Regenerates the game's content, the files the native loaders read (public/assets/**):
//   scene/scene.gltf + scene.bin + checker.png   an authored glTF scene (3 meshes)      models.mjs
//   models/crate.obj + crate.mtl + crate.png      an OBJ with materials and a texture    models.mjs
//   levels.db                                     2,000 levels in SQLite (4 KiB pages),  levels.mjs
//                                                 and the game's 5 worlds: tables        worlds/
//                                                 worlds, chunks, npcs
//   dialogue/main.ink + 2 INCLUDEd files          an ink story; characters.ink holds     dialogue.mjs
//                                                 one knot per NPC
// Deterministic: fixed-seed PRNGs, no dates; running it twice gives the same
// bytes, and a test regenerates into a temp folder and compares with the
// committed files. Plain Node (no build step):
//   node game/content/generate.mjs [--out DIR]      (or `npm run gen-assets`)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialogue } from './dialogue.mjs';
import { levelsDb } from './levels.mjs';
import { gltfScene, objModel } from './models.mjs';
import { WORLD_DEFS } from './worlds/defs.mjs';
import { buildWorld } from './worlds/world.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Writes `[path, data]` files under `out`; returns `[path from the repository root, bytes]` for the log. */
function write(out, files) {
  return files.map(([rel, data]) => {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    return [relative(root, path), typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength];
  });
}

/** Builds everything and writes it to `out`, then prints what was written and a summary of each world. */
async function main(out) {
  const scene = gltfScene();
  const obj = objModel();
  const worlds = WORLD_DEFS.map(buildWorld);
  const files = [...scene.files, ...obj.files, ...(await levelsDb(2000, worlds)), ...dialogue(worlds)];
  for (const [path, size] of write(out, files)) console.log(`${String(size).padStart(9)}  ${path}`);
  console.log(`scene meshes: ${JSON.stringify(scene.meshes)}; obj: ${JSON.stringify(obj.summary)}`);
  for (const w of worlds) {
    console.log(`world ${w.def.id} ${w.def.name}: ${w.W}x${w.H} tiles, ${w.def.coins} coins, ${w.npcs.length} npcs, par ${w.parTime} s (tour ${w.tour} tiles), ` +
      `spawn ${w.spawn} exit ${w.exit}, ${JSON.stringify(w.stats)}, props json max ${Math.max(...w.chunks.map((c) => c.props.length))} B`);
  }
}

// `--out DIR` writes elsewhere (a test regenerates into a temp folder and compares).
const outArg = process.argv.indexOf('--out');
await main(outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]) : join(root, 'public', 'assets'));
