#!/usr/bin/env node
// Regenerates the small assets the native loaders read (public/assets/**):
//   scene/scene.gltf + scene.bin + checker.png   an authored glTF scene (3 meshes)
//   models/crate.obj + crate.mtl + crate.png      an OBJ with materials and a texture
//   levels.db                                     2,000 levels in SQLite (4 KiB pages)
//   dialogue/main.ink + 2 INCLUDEd files          an ink story
// Deterministic: a fixed-seed PRNG, no dates; running it twice gives the same bytes.
// Plain Node (no build step): `node scripts/gen-assets.mjs [--out DIR]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import SQLiteESMFactory from 'wa-sqlite/dist/wa-sqlite.mjs';
import * as SQLite from 'wa-sqlite';
import { MemoryVFS } from 'wa-sqlite/src/examples/MemoryVFS.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` writes elsewhere (a test regenerates into a temp folder and compares).
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]) : join(root, 'public', 'assets');
const written = [];

function put(rel, data) {
  const path = join(out, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  written.push([relative(root, path), typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength]);
}

/** mulberry32: small, fast, and the same on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- PNG (RGB, 8 bit)

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG from `pixel(x, y) -> [r, g, b]`. */
function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter set, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- geometry

function box(s) {
  const faces = [
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
  ];
  const pos = [], nrm = [], uv = [], idx = [];
  for (const [n, u, v] of faces) {
    const base = pos.length / 3;
    for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
      for (let k = 0; k < 3; k++) pos.push(s * (n[k] + a * u[k] + b * v[k]));
      nrm.push(...n);
      uv.push((a + 1) / 2, 1 - (b + 1) / 2);
    }
    idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  return { pos, nrm, uv, idx };
}

function grid(size, cells) {
  const pos = [], nrm = [], uv = [], idx = [];
  for (let j = 0; j <= cells; j++) {
    for (let i = 0; i <= cells; i++) {
      pos.push((i / cells - 0.5) * size, 0, (j / cells - 0.5) * size);
      nrm.push(0, 1, 0);
      uv.push(i / cells, j / cells);
    }
  }
  for (let j = 0; j < cells; j++) {
    for (let i = 0; i < cells; i++) {
      const a = j * (cells + 1) + i, b = a + 1, c = a + cells + 1, d = c + 1;
      idx.push(a, c, b, b, c, d);
    }
  }
  return { pos, nrm, uv, idx };
}

function torus(R, r, seg, sides) {
  const pos = [], nrm = [], uv = [], idx = [];
  for (let j = 0; j <= sides; j++) {
    const v = (j / sides) * Math.PI * 2;
    for (let i = 0; i <= seg; i++) {
      const u = (i / seg) * Math.PI * 2;
      const cx = Math.cos(u), cz = Math.sin(u);
      pos.push((R + r * Math.cos(v)) * cx, r * Math.sin(v), (R + r * Math.cos(v)) * cz);
      nrm.push(Math.cos(v) * cx, Math.sin(v), Math.cos(v) * cz);
      uv.push(i / seg, j / sides);
    }
  }
  for (let j = 0; j < sides; j++) {
    for (let i = 0; i < seg; i++) {
      const a = j * (seg + 1) + i, b = a + 1, c = a + seg + 1, d = c + 1;
      idx.push(a, b, c, b, d, c);
    }
  }
  return { pos, nrm, uv, idx };
}

/** Rounds to 6 decimals so float noise never differs between machines. */
const q = (x) => Math.round(x * 1e6) / 1e6 + 0;

// ---------------------------------------------------------------- glTF scene

function gltfScene() {
  const meshes = [
    { name: 'Crate', geo: box(0.5), material: 0, node: { translation: [0, 0.5, 0] } },
    { name: 'Ground', geo: grid(10, 16), material: 1, node: {} },
    { name: 'Ring', geo: torus(0.8, 0.25, 32, 16), material: 2, node: { translation: [2.5, 1, 0], rotation: [0.3826834, 0, 0, 0.9238795] } },
  ];
  const chunks = [];
  let byteLength = 0;
  const bufferViews = [], accessors = [];
  const view = (bytes, target) => {
    const pad = (4 - (byteLength % 4)) % 4;
    if (pad) chunks.push(Buffer.alloc(pad)), (byteLength += pad);
    bufferViews.push({ buffer: 0, byteOffset: byteLength, byteLength: bytes.byteLength, target });
    chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    byteLength += bytes.byteLength;
    return bufferViews.length - 1;
  };
  const accessor = (values, type, n, extra = {}) => {
    const isIndex = type === 'SCALAR';
    const data = isIndex ? new Uint16Array(values) : new Float32Array(values.map(q));
    accessors.push({
      bufferView: view(data, isIndex ? 34963 : 34962),
      componentType: isIndex ? 5123 : 5126,
      count: values.length / n,
      type,
      ...extra,
    });
    return accessors.length - 1;
  };
  const minmax = (pos) => {
    const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < pos.length; i++) {
      const v = Math.fround(q(pos[i]));
      min[i % 3] = Math.min(min[i % 3], v);
      max[i % 3] = Math.max(max[i % 3], v);
    }
    return { min, max };
  };
  const gltfMeshes = meshes.map(({ name, geo, material }) => ({
    name,
    primitives: [
      {
        attributes: {
          POSITION: accessor(geo.pos, 'VEC3', 3, minmax(geo.pos)),
          NORMAL: accessor(geo.nrm, 'VEC3', 3),
          TEXCOORD_0: accessor(geo.uv, 'VEC2', 2),
        },
        indices: accessor(geo.idx, 'SCALAR', 1),
        material,
      },
    ],
  }));
  const gltf = {
    asset: { version: '2.0', generator: 'ltask-web scripts/gen-assets.mjs' },
    scene: 0,
    scenes: [{ name: 'Yard', nodes: meshes.map((_, i) => i) }],
    nodes: meshes.map(({ name, node }, i) => ({ name, mesh: i, ...node })),
    meshes: gltfMeshes,
    materials: [
      { name: 'Checker', pbrMetallicRoughness: { baseColorTexture: { index: 0 }, metallicFactor: 0, roughnessFactor: 0.8 } },
      { name: 'Grass', pbrMetallicRoughness: { baseColorFactor: [0.25, 0.6, 0.2, 1], metallicFactor: 0, roughnessFactor: 1 } },
      { name: 'Brass', pbrMetallicRoughness: { baseColorFactor: [0.85, 0.65, 0.2, 1], metallicFactor: 1, roughnessFactor: 0.35 } },
    ],
    textures: [{ source: 0, sampler: 0 }],
    images: [{ uri: 'checker.png', mimeType: 'image/png' }],
    samplers: [{ magFilter: 9728, minFilter: 9728, wrapS: 10497, wrapT: 10497 }],
    accessors,
    bufferViews,
    buffers: [{ uri: 'scene.bin', byteLength }],
  };
  put('scene/scene.gltf', JSON.stringify(gltf, null, 1) + '\n');
  put('scene/scene.bin', Buffer.concat(chunks));
  put('scene/checker.png', png(64, 64, (x, y) => ((x >> 3) + (y >> 3)) % 2 ? [230, 230, 230] : [40, 70, 160]));
  return meshes.map(({ name, geo }) => ({ name, vertices: geo.pos.length / 3, triangles: geo.idx.length / 3 }));
}

// ---------------------------------------------------------------- OBJ + MTL

function objModel() {
  const lines = ['# crate with a brass post, generated by scripts/gen-assets.mjs', 'mtllib crate.mtl'];
  let v = 0, vt = 0, vn = 0;
  // The crate: 6 quads with their own UVs.
  const b = box(0.5);
  lines.push('o Crate', 'usemtl Wood');
  for (let i = 0; i < b.pos.length; i += 3) lines.push(`v ${q(b.pos[i])} ${q(b.pos[i + 1] + 0.5)} ${q(b.pos[i + 2])}`);
  for (let i = 0; i < b.uv.length; i += 2) lines.push(`vt ${q(b.uv[i])} ${q(1 - b.uv[i + 1])}`);
  for (let i = 0; i < b.nrm.length; i += 3) lines.push(`vn ${b.nrm[i]} ${b.nrm[i + 1]} ${b.nrm[i + 2]}`);
  for (let f = 0; f < 6; f++) {
    const c = [0, 1, 2, 3].map((k) => f * 4 + k + 1);
    lines.push('f ' + c.map((k) => `${k}/${k}/${k}`).join(' '));
  }
  v += 24, vt += 24, vn += 24;
  // The post: a 12-sided cylinder with side quads and a top fan.
  const sides = 12;
  lines.push('o Post', 'usemtl Brass');
  for (let i = 0; i < sides; i++) {
    const a = (i / sides) * Math.PI * 2;
    const x = q(0.8 + 0.1 * Math.cos(a)), z = q(0.1 * Math.sin(a));
    lines.push(`v ${x} 0 ${z}`, `v ${x} 1.5 ${z}`);
    lines.push(`vn ${q(Math.cos(a))} 0 ${q(Math.sin(a))}`);
  }
  lines.push('v 0.8 1.5 0', 'vn 0 1 0');
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    const lo = (k) => v + 2 * k + 1, hi = (k) => v + 2 * k + 2, n = (k) => vn + k + 1;
    lines.push(`f ${lo(i)}//${n(i)} ${hi(i)}//${n(i)} ${hi(j)}//${n(j)} ${lo(j)}//${n(j)}`);
  }
  const top = v + 2 * sides + 1, up = vn + sides + 1;
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    lines.push(`f ${top}//${up} ${v + 2 * j + 2}//${up} ${v + 2 * i + 2}//${up}`);
  }
  put('models/crate.obj', lines.join('\n') + '\n');
  put(
    'models/crate.mtl',
    ['# generated by scripts/gen-assets.mjs', 'newmtl Wood', 'Kd 1 1 1', 'map_Kd crate.png', '', 'newmtl Brass', 'Kd 0.85 0.65 0.2', ''].join('\n'),
  );
  const noise = prng(7);
  put('models/crate.png', png(32, 32, (x, y) => {
    const plank = (y >> 3) % 2 ? 20 : 0;
    const edge = x === 0 || y % 8 === 0 ? -60 : 0;
    const grain = Math.floor(noise() * 16);
    return [150 + plank + edge + grain, 100 + plank + edge + grain, 50 + edge];
  }));
  return { objects: 2, triangles: 6 * 2 + sides * 2 + sides };
}

// ---------------------------------------------------------------- levels.db

const ADJ = ['amber', 'broken', 'crimson', 'drowned', 'emerald', 'frozen', 'gilded', 'hollow', 'iron', 'jade', 'key', 'lost', 'misty', 'north', 'old', 'pale', 'quiet', 'rusty', 'silent', 'tall'];
const NOUN = ['abbey', 'bridge', 'cavern', 'dunes', 'estate', 'forge', 'garden', 'harbor', 'isle', 'jungle', 'keep', 'lagoon', 'mine', 'nest', 'orchard', 'pass', 'quarry', 'ruins', 'spire', 'tower'];
const WORDS = 'the a of and to in stone water wind door key torch lever spikes bridge gap climb jump secret chest guard patrol switch crumbling floor rope ladder moss gold coin shadow lantern'.split(' ');

export function levelName(i) {
  return `${ADJ[i % 20]}-${NOUN[Math.floor(i / 20) % 20]}-${String(i).padStart(4, '0')}`;
}

async function levelsDb(count) {
  const require = createRequire(import.meta.url);
  const wasmBinary = await readFile(require.resolve('wa-sqlite/dist/wa-sqlite.wasm'));
  const module = await SQLiteESMFactory({ wasmBinary });
  const sqlite3 = SQLite.Factory(module);
  const vfs = new MemoryVFS();
  sqlite3.vfs_register(vfs, false);
  const db = await sqlite3.open_v2('levels.db', SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE, 'memory');
  await sqlite3.exec(db, `
    PRAGMA page_size = 4096;
    PRAGMA journal_mode = DELETE;
    CREATE TABLE levels (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      world INTEGER NOT NULL,
      difficulty INTEGER NOT NULL,
      par_time REAL NOT NULL,
      description TEXT NOT NULL,
      tiles BLOB NOT NULL
    );
    CREATE INDEX levels_by_world ON levels (world, difficulty);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO meta VALUES ('format', 'levels/1'), ('count', '${count}'), ('tile_size', '32x24');
    BEGIN;`);
  const rnd = prng(2024);
  for await (const stmt of sqlite3.statements(db, 'INSERT INTO levels VALUES (?, ?, ?, ?, ?, ?, ?)')) {
    for (let i = 1; i <= count; i++) {
      const words = [];
      const n = 24 + Math.floor(rnd() * 40);
      for (let k = 0; k < n; k++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]);
      const tiles = new Uint8Array(32 * 24);
      for (let k = 0; k < tiles.length; k++) tiles[k] = rnd() < 0.7 ? 0 : 1 + Math.floor(rnd() * 15);
      sqlite3.bind_collection(stmt, [
        i,
        levelName(i),
        1 + Math.floor((i - 1) / 100),
        1 + Math.floor(rnd() * 5),
        Math.round((30 + rnd() * 270) * 10) / 10,
        words.join(' ') + '.',
        tiles,
      ]);
      await sqlite3.step(stmt);
      await sqlite3.reset(stmt);
    }
  }
  await sqlite3.exec(db, 'COMMIT; VACUUM;');
  await sqlite3.close(db);
  const file = vfs.mapNameToFile.get('levels.db');
  put('levels.db', new Uint8Array(file.data, 0, file.size));
}

// ---------------------------------------------------------------- ink

function dialogue() {
  put('dialogue/main.ink', `// The tavern scene: main file; characters and the tavern chapter are INCLUDEd.
INCLUDE characters.ink
INCLUDE chapters/tavern.ink

VAR gold = 3

-> intro

=== intro ===
The rain has not stopped for three days.
{innkeeper} waves you in from the doorway.
-> tavern
`);
  put('dialogue/characters.ink', `// People of the tavern.
VAR innkeeper = "Mara"

=== function greet(who) ===
~ return "Well met, " + who + "."
`);
  put('dialogue/chapters/tavern.ink', `// Chapter: the tavern.
=== tavern ===
"{greet("traveller")}" says {innkeeper}.
You have {gold} gold coins.
* [Buy a drink] -> drink
* [Ask about the road] -> road

=== drink ===
~ gold = gold - 1
You drink by the fire. {gold} coins left.
-> END

=== road ===
"The north road is flooded," {innkeeper} says.
-> END
`);
}

// ---------------------------------------------------------------- main

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const scene = gltfScene();
  const obj = objModel();
  await levelsDb(2000);
  dialogue();
  for (const [path, size] of written) console.log(`${String(size).padStart(9)}  ${path}`);
  console.log(`scene meshes: ${JSON.stringify(scene)}; obj: ${JSON.stringify(obj)}`);
}
