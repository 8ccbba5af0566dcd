/**
 * Wall time of each library fed from memory on one thread, no runtime: the
 * baseline the bridge (carrier + Lua callbacks) is compared against.
 * Run: `npx tsx game/natives/bench/inmemory.ts [runs]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gltfpack, ink, sqlite } from '../index.ts';

const runs = Number(process.argv[2] ?? 200);
const root = fileURLToPath(new URL('../../../public/assets/', import.meta.url));
const cache = new Map<string, Uint8Array>();
function read(path: string): Uint8Array | null {
  let b = cache.get(path);
  if (!b) {
    b = new Uint8Array(readFileSync(root + path));
    cache.set(path, b);
  }
  return b;
}
const db = read('levels.db')!;
const range = { read: (_p: string, offset: number, length: number) => db.subarray(offset, offset + length) };

async function measure(label: string, fn: (i: number) => unknown): Promise<void> {
  let t = performance.now();
  await fn(0);
  const first = performance.now() - t;
  const times: number[] = [];
  for (let i = 1; i <= runs; i++) {
    t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  console.log(`${label.padEnd(48)} first ${first.toFixed(2).padStart(7)} ms   p50 ${q(0.5).padStart(7)} ms   p90 ${q(0.9).padStart(7)} ms`);
}

const t = performance.now();
await sqlite.setup();
console.log(`sqlite setup (wasm instantiate)`.padEnd(48), `${(performance.now() - t).toFixed(2)} ms`);
await gltfpack.setup();

await measure('gltfpack scene.gltf -> glb', () => gltfpack.functions.pack(['-i', 'scene/scene.gltf', '-o', 'o.glb'], { read }));
await measure('gltfpack scene.gltf -> glb -c', () => gltfpack.functions.pack(['-i', 'scene/scene.gltf', '-o', 'o.glb', '-c'], { read }));
await measure('gltfpack crate.obj -> glb', () => gltfpack.functions.pack(['-i', 'models/crate.obj', '-o', 'o.glb'], { read }));
const sql = 'SELECT * FROM levels WHERE name = ?';
await measure('sqlite point query, new connection each time', () => sqlite.functions.query('levels.db', sql, ['old-bridge-1234'], range, { cache: false }));
await measure('sqlite point query, cached connection', () => sqlite.functions.query('levels.db', sql, ['old-bridge-1234'], range));
await measure('sqlite point query by id, cached, varying rows', (i) => sqlite.functions.query('levels.db', 'SELECT * FROM levels WHERE id = ?', [1 + ((i * 7919) % 2000)], range));
await measure('ink compile main.ink (+2 INCLUDEs)', () => ink.functions.compile('dialogue/main.ink', { read }));
