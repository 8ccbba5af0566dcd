#!/usr/bin/env node
// Regenerates the small assets the native loaders read (public/assets/**):
//   scene/scene.gltf + scene.bin + checker.png   an authored glTF scene (3 meshes)
//   models/crate.obj + crate.mtl + crate.png      an OBJ with materials and a texture
//   levels.db                                     2,000 levels in SQLite (4 KiB pages), and the
//                                                 game's 5 worlds: tables worlds, chunks, npcs
//   dialogue/main.ink + 2 INCLUDEd files          an ink story; characters.ink holds one knot per NPC
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
import { prng } from './prng.mjs';

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

async function levelsDb(count, worlds) {
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
  await worldTables(sqlite3, db, worlds);
  await sqlite3.exec(db, 'COMMIT; VACUUM;');
  await sqlite3.close(db);
  const file = vfs.mapNameToFile.get('levels.db');
  put('levels.db', new Uint8Array(file.data, 0, file.size));
}

// ---------------------------------------------------------------- worlds (the game)
//
// Five hand-tuned worlds, each a grid of 16 x 16-tile chunks. Tiles: 0 grass and
// 1 path (walkable), 2 water, 3 rock wall, 4 hedge (blocking). A world tile
// (tx, tz) covers [tx, tx + 1) x [tz, tz + 1) and lives in chunk
// (floor(tx / 16), floor(tz / 16)); positions (spawn, exit, props, NPCs) are
// world tile coordinates, tile centres at tx + 0.5. North is -z, east is +x.
// Spawn, exit, every coin and every NPC patrol of the path NPCs lie on path
// tiles: the path network alone connects them (checked below, the build fails
// otherwise), so the game is playable whether grass is walkable or not.

export const TILE = { GRASS: 0, PATH: 1, WATER: 2, ROCK: 3, HEDGE: 4 };
const WALKABLE = (t) => t === TILE.GRASS || t === TILE.PATH;
/** Props JSON per chunk stays under this, so a chunk row (with its 256 tiles) fits one b-tree cell: no overflow pages. */
const PROPS_BUDGET = 700;
/** Par times assume this pace (tiles/s) over the shortest tour found on path tiles, plus 10 s. */
export const PAR_SPEED = 5;

/** The worlds' hand-set parameters; the layout is grown from `seed`. */
export const WORLD_DEFS = [
  {
    id: 1, name: 'Meadow Crossing', seed: 1101, chunks: [4, 4], coins: 10, spawn: 'sw', exit: 'ne',
    border: TILE.HEDGE, lakes: 2, lakeSize: [3, 5], outcrops: 3, hedges: 4, gardens: 0, forest: 0.16, sea: null,
    palette: { ground: '#78b159', path: '#d8bc8a', water: '#4b92c9', rock: '#8e8c86', hedge: '#3e7a33', sky: '#a8d8f0' },
    npcs: [['villager', 'Old Tom'], ['villager', 'Hazel'], ['guard', 'Sergeant Brask'], ['critter', 'Pip the hare']],
    watch: 'the Meadow Watch',
  },
  {
    id: 2, name: 'Misty Harbor', seed: 2202, chunks: [5, 5], coins: 14, spawn: 'nw', exit: 'se',
    border: TILE.ROCK, lakes: 2, lakeSize: [2, 4], outcrops: 5, hedges: 3, gardens: 0, forest: 0.08, sea: 'east',
    palette: { ground: '#6f9a7a', path: '#c2b59b', water: '#3a6f8f', rock: '#7b8187', hedge: '#2f5e3e', sky: '#c7d3dc' },
    npcs: [['villager', 'Captain Wren'], ['villager', 'Nell the netmaker'], ['guard', 'Harbormaster Quill'], ['guard', 'Dockwarden Ross'], ['critter', 'Gull']],
    watch: 'the Harbor Watch',
  },
  {
    id: 3, name: 'Bramble Hollow', seed: 3303, chunks: [5, 5], coins: 16, spawn: 'se', exit: 'nw',
    border: TILE.HEDGE, lakes: 1, lakeSize: [3, 4], outcrops: 2, hedges: 10, gardens: 5, forest: 0.2, sea: null,
    palette: { ground: '#6c9a4b', path: '#c9a877', water: '#4f8fb8', rock: '#8a8070', hedge: '#2d5a24', sky: '#b9dcb0' },
    npcs: [['villager', 'Granny Bramble'], ['villager', 'Finch'], ['guard', 'Warden Holt'], ['guard', 'Warden Ivy'], ['critter', 'Hedgehog'], ['critter', 'Toad']],
    watch: 'the Hollow wardens',
  },
  {
    id: 4, name: 'Granite Pass', seed: 4404, chunks: [6, 5], coins: 15, spawn: 'sw', exit: 'ne',
    border: TILE.ROCK, lakes: 2, lakeSize: [2, 3], outcrops: 14, hedges: 2, gardens: 0, forest: 0.1, sea: null,
    palette: { ground: '#8a9a6b', path: '#bfae8f', water: '#5a8fb0', rock: '#6f6a64', hedge: '#4a6b3a', sky: '#b8c4d6' },
    npcs: [['villager', 'Miner Gus'], ['villager', 'Tilda'], ['guard', 'Captain Stone'], ['guard', 'Scout Vale'], ['guard', 'Sentry Orr'], ['critter', 'Mountain goat'], ['critter', 'Marmot']],
    watch: 'the Pass Guard',
  },
  {
    id: 5, name: 'Lantern Fen', seed: 5505, chunks: [6, 6], coins: 15, spawn: 'nw', exit: 'se',
    border: TILE.WATER, lakes: 6, lakeSize: [2, 5], outcrops: 3, hedges: 6, gardens: 2, forest: 0.12, sea: null,
    palette: { ground: '#5f7f55', path: '#b49f78', water: '#2f5f6f', rock: '#76786f', hedge: '#2f4f2a', sky: '#6f7f9f' },
    npcs: [['villager', 'Lamplighter Bea'], ['villager', 'Old Moss'], ['villager', 'Wick'], ['guard', 'Bog Warden Crane'], ['guard', 'Night Watch Hale'], ['critter', 'Frog'], ['critter', 'Heron'], ['critter', 'Newt']],
    watch: 'the Fen Watch',
  },
];

const COMPASS = ['east', 'north-east', 'north', 'north-west', 'west', 'south-west', 'south', 'south-east'];
/** Compass word for a direction (north is -z). */
function compass(dx, dz) {
  const a = Math.atan2(-dz, dx);
  return COMPASS[(Math.round(a / (Math.PI / 4)) + 8) % 8];
}
const NUMBER = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
const r2 = (x) => Math.round(x * 100) / 100 + 0;

/** A binary min-heap of [priority, value]. */
class Heap {
  constructor() { this.a = []; }
  get size() { return this.a.length; }
  push(p, v) {
    const a = this.a;
    a.push([p, v]);
    let i = a.length - 1;
    while (i > 0) {
      const j = (i - 1) >> 1;
      if (a[j][0] <= a[i][0]) break;
      [a[i], a[j]] = [a[j], a[i]];
      i = j;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** One world's tiles, props and NPCs, grown from its definition. Throws when something is unreachable. */
export function buildWorld(def) {
  const rnd = prng(def.seed);
  const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const [CX, CZ] = def.chunks;
  const W = CX * 16, H = CZ * 16;
  const tiles = new Uint8Array(W * H);
  const at = (x, z) => (x < 0 || z < 0 || x >= W || z >= H ? TILE.ROCK : tiles[z * W + x]);
  const set = (x, z, t) => { if (x > 0 && z > 0 && x < W - 1 && z < H - 1) tiles[z * W + x] = t; };
  const N4 = [[1, 0], [-1, 0], [0, 1], [0, -1]];

  // Smooth value noise in [0, 1): a random lattice every 8 tiles, interpolated.
  const LW = W / 8 + 2, LH = H / 8 + 2;
  const lattice = Array.from({ length: LW * LH }, () => rnd());
  const noise = (x, z) => {
    const gx = x / 8, gz = z / 8, ix = Math.floor(gx), iz = Math.floor(gz), fx = gx - ix, fz = gz - iz;
    const L = (i, k) => lattice[(((k % LH) + LH) % LH) * LW + (((i % LW) + LW) % LW)]; // wraps: any coordinates
    const s = (t) => t * t * (3 - 2 * t);
    const a = L(ix, iz) + (L(ix + 1, iz) - L(ix, iz)) * s(fx);
    const b = L(ix, iz + 1) + (L(ix + 1, iz + 1) - L(ix, iz + 1)) * s(fx);
    return a + (b - a) * s(fz);
  };

  // Border: a ring of the world's border material, 1 to 3 tiles deep.
  for (let z = 0; z < H; z++) {
    for (let x = 0; x < W; x++) {
      const d = Math.min(x, z, W - 1 - x, H - 1 - z);
      if (d === 0 || d < 1 + Math.floor(noise(x * 1.7, z * 1.7) * 2.6)) tiles[z * W + x] = def.border;
    }
  }
  // The harbor's sea: the east edge is water, 6 to 9 tiles deep.
  if (def.sea === 'east') {
    for (let z = 0; z < H; z++) {
      const depth = 6 + Math.floor(noise(W - 1, z * 0.8) * 4);
      for (let x = W - depth; x < W; x++) tiles[z * W + x] = TILE.WATER;
    }
  }

  // Spawn and exit near opposite corners.
  const corner = (c) => {
    const x = c.includes('w') ? ri(4, 6) : W - (def.sea === 'east' ? 12 : 5) - ri(0, 2);
    const z = c.includes('n') ? ri(4, 6) : H - 5 - ri(0, 2);
    return [x, z];
  };
  const spawn = corner(def.spawn), exit = corner(def.exit);
  const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const inside = (x, z, m) => x >= m && z >= m && x < W - m && z < H - m;

  const blob = (cx, cz, r, t) => {
    const parts = 2 + Math.floor(rnd() * 3);
    for (let p = 0; p < parts; p++) {
      const ox = cx + (rnd() - 0.5) * r * 1.4, oz = cz + (rnd() - 0.5) * r * 1.4, rr = r * (0.6 + rnd() * 0.5);
      for (let z = Math.floor(oz - rr - 1); z <= oz + rr + 1; z++) {
        for (let x = Math.floor(ox - rr - 1); x <= ox + rr + 1; x++) {
          if (Math.hypot(x - ox, z - oz) <= rr + (noise(x * 3, z * 3) - 0.5) * 1.5 && at(x, z) === TILE.GRASS) set(x, z, t);
        }
      }
    }
  };
  const farFromEnds = (x, z, m) => dist([x, z], spawn) > m && dist([x, z], exit) > m;
  const spot = (margin, clear) => {
    for (let k = 0; k < 200; k++) {
      const x = ri(margin, W - 1 - margin), z = ri(margin, H - 1 - margin);
      if (at(x, z) === TILE.GRASS && farFromEnds(x, z, clear)) return [x, z];
    }
    return null;
  };
  // Lakes, rock outcrops, hedgerows and hedged gardens.
  for (let i = 0; i < def.lakes; i++) {
    const p = spot(6, 8);
    if (p) blob(p[0], p[1], def.lakeSize[0] + rnd() * (def.lakeSize[1] - def.lakeSize[0]), TILE.WATER);
  }
  for (let i = 0; i < def.outcrops; i++) {
    const p = spot(4, 6);
    if (p) blob(p[0], p[1], 1.2 + rnd() * 1.8, TILE.ROCK);
  }
  for (let i = 0; i < def.hedges; i++) {
    const p = spot(4, 5);
    if (!p) continue;
    let [x, z] = p;
    let [dx, dz] = N4[ri(0, 3)];
    const n = ri(5, 13);
    for (let k = 0; k < n; k++) {
      if (at(x, z) === TILE.GRASS && farFromEnds(x, z, 4)) set(x, z, TILE.HEDGE);
      if (k === Math.floor(n / 2) && rnd() < 0.35) [dx, dz] = [dz, dx];
      x += dx, z += dz;
    }
  }
  for (let i = 0; i < def.gardens; i++) {
    const p = spot(7, 9);
    if (!p) continue;
    const w = ri(5, 8), h = ri(5, 8), x0 = p[0] - (w >> 1), z0 = p[1] - (h >> 1);
    const gaps = new Set([ri(1, w - 2), w + ri(1, h - 2), w + h + ri(1, w - 2)]);
    let k = 0;
    const ring = [];
    for (let x = x0; x < x0 + w; x++) ring.push([x, z0]);
    for (let z = z0; z < z0 + h; z++) ring.push([x0 + w - 1, z]);
    for (let x = x0 + w - 1; x >= x0; x--) ring.push([x, z0 + h - 1]);
    for (let z = z0 + h - 1; z >= z0; z--) ring.push([x0, z]);
    for (const [x, z] of ring) {
      if (!gaps.has(k++) && inside(x, z, 3) && at(x, z) === TILE.GRASS && farFromEnds(x, z, 4)) set(x, z, TILE.HEDGE);
    }
  }
  // Clear ground around spawn and exit.
  for (const [cx, cz] of [spawn, exit]) {
    for (let z = cz - 2; z <= cz + 2; z++) for (let x = cx - 2; x <= cx + 2; x++) if (inside(x, z, 2)) set(x, z, TILE.GRASS);
  }

  // Coins: spread over the map, at least `gap` apart.
  const coins = [];
  for (let gap = Math.sqrt((W * H) / def.coins) * 0.75; coins.length < def.coins; gap *= 0.92) {
    for (let k = 0; k < 4000 && coins.length < def.coins; k++) {
      const x = ri(3, W - 4), z = ri(3, H - 4);
      if (at(x, z) !== TILE.GRASS || dist([x, z], spawn) < 7 || dist([x, z], exit) < 4) continue;
      if (coins.every((c) => dist(c, [x, z]) >= gap)) coins.push([x, z]);
    }
  }

  // Paths: Dijkstra from each point to the nearest path tile already laid, over a
  // cost map (noisy grass, cheap existing path, dear water / rock / hedge crossings:
  // bridges, cuttings and gaps). Coins join nearest-first, then the exit, then a few loops.
  const cost = (x, z) => {
    if (!inside(x, z, 1)) return Infinity;
    const t = at(x, z);
    const edge = inside(x, z, 3) ? 0 : 12;
    if (t === TILE.PATH) return 0.4;
    if (t === TILE.GRASS) return 1 + noise(x * 2 + 50, z * 2 + 50) * 3 + edge;
    return (t === TILE.WATER ? 14 : t === TILE.HEDGE ? 10 : 26) + edge;
  };
  const route = (from, isGoal) => {
    const best = new Float64Array(W * H).fill(Infinity), prev = new Int32Array(W * H).fill(-1);
    const heap = new Heap();
    const s = from[1] * W + from[0];
    best[s] = 0;
    heap.push(0, s);
    while (heap.size) {
      const [d, i] = heap.pop();
      if (d > best[i]) continue;
      const x = i % W, z = (i / W) | 0;
      if (i !== s && isGoal(x, z)) {
        const out = [];
        for (let j = i; j !== -1; j = prev[j]) out.push([j % W, (j / W) | 0]);
        return out.reverse();
      }
      for (const [dx, dz] of N4) {
        const nx = x + dx, nz = z + dz, c = cost(nx, nz);
        if (c === Infinity) continue;
        const j = nz * W + nx;
        if (d + c < best[j]) best[j] = d + c, prev[j] = i, heap.push(d + c, j);
      }
    }
    throw new Error(`world ${def.id}: no route from ${from} (spawn ${spawn} is ${at(...spawn)})`);
  };
  const lay = (steps) => { for (const [x, z] of steps) set(x, z, TILE.PATH); };
  set(spawn[0], spawn[1], TILE.PATH);
  const order = [...coins].sort((a, b) => dist(a, spawn) - dist(b, spawn));
  for (const c of order) lay(route(c, (x, z) => at(x, z) === TILE.PATH));
  const main = route(exit, (x, z) => at(x, z) === TILE.PATH);
  lay(main);
  // The road to the exit is two tiles wide where the ground allows.
  for (const [x, z] of main) if (at(x + 1, z) === TILE.GRASS && inside(x + 1, z, 2)) set(x + 1, z, TILE.PATH);
  for (let k = 0; k < 2 + def.id; k++) {
    const a = coins[ri(0, coins.length - 1)], b = coins[ri(0, coins.length - 1)];
    if (a !== b && dist(a, b) < 30) lay(route(a, (x, z) => x === b[0] && z === b[1]));
  }

  // Reachability: BFS over path tiles (and over all walkable tiles) from spawn.
  const bfs = (start, ok) => {
    const d = new Int32Array(W * H).fill(-1);
    const q = [start[1] * W + start[0]];
    d[q[0]] = 0;
    for (let h = 0; h < q.length; h++) {
      const i = q[h], x = i % W, z = (i / W) | 0;
      for (const [dx, dz] of N4) {
        const nx = x + dx, nz = z + dz;
        if (nx < 0 || nz < 0 || nx >= W || nz >= H) continue;
        const j = nz * W + nx;
        if (d[j] < 0 && ok(tiles[j])) d[j] = d[i] + 1, q.push(j);
      }
    }
    return d;
  };
  const onPath = bfs(spawn, (t) => t === TILE.PATH);
  const onFoot = bfs(spawn, WALKABLE);
  for (const [what, [x, z]] of [['exit', exit], ...coins.map((c, i) => [`coin ${i + 1}`, c])]) {
    if (tiles[z * W + x] !== TILE.PATH || onPath[z * W + x] < 0 || onFoot[z * W + x] < 0) {
      throw new Error(`world ${def.id} (${def.name}): ${what} at (${x}, ${z}) is not reachable from spawn (${spawn}) over the path network`);
    }
  }
  for (let x = 0; x < W; x++) for (const z of [0, H - 1]) if (WALKABLE(tiles[z * W + x])) throw new Error(`world ${def.id}: border open at (${x}, ${z})`);
  for (let z = 0; z < H; z++) for (const x of [0, W - 1]) if (WALKABLE(tiles[z * W + x])) throw new Error(`world ${def.id}: border open at (${x}, ${z})`);

  // Par time: a short tour spawn -> every coin -> exit over path tiles only (nearest
  // coin first, then 2-opt), at 5 tiles/s (the player runs 6), plus 10 s.
  const nodes = [spawn, ...coins, exit];
  const D = nodes.map((p) => { const d = bfs(p, (t) => t === TILE.PATH); return nodes.map(([x, z]) => d[z * W + x]); });
  const seq = [0];
  const rest = new Set(coins.map((_, i) => i + 1));
  while (rest.size) {
    const here = seq.at(-1);
    const next = [...rest].reduce((a, b) => (D[here][b] < D[here][a] ? b : a));
    seq.push(next);
    rest.delete(next);
  }
  seq.push(nodes.length - 1);
  for (let better = true; better;) {
    better = false;
    for (let i = 1; i < seq.length - 2; i++) {
      for (let j = i + 1; j < seq.length - 1; j++) {
        const delta = D[seq[i - 1]][seq[j]] + D[seq[i]][seq[j + 1]] - D[seq[i - 1]][seq[i]] - D[seq[j]][seq[j + 1]];
        if (delta < 0) {
          seq.splice(i, j - i + 1, ...seq.slice(i, j + 1).reverse());
          better = true;
        }
      }
    }
  }
  const tour = seq.slice(1).reduce((n, k, i) => n + D[seq[i]][k], 0);
  const parTime = Math.ceil((tour / PAR_SPEED + 10) / 5) * 5;

  // NPCs. Path NPCs walk along the path network: their waypoints are the corners of
  // a walk and back (cyclic), so every leg is a straight run of path tiles.
  const taken = new Set([...coins, spawn, exit].map(([x, z]) => z * W + x));
  const isPath = (x, z) => at(x, z) === TILE.PATH;
  const pathWalk = (start, steps) => {
    let [x, z] = start;
    const seen = new Set([z * W + x]);
    let dir = null;
    const pts = [[x, z]];
    for (let s = 0; s < steps; s++) {
      const cand = N4.filter(([dx, dz]) => isPath(x + dx, z + dz) && !seen.has((z + dz) * W + x + dx));
      if (!cand.length) break;
      const straight = dir && cand.find(([dx, dz]) => dx === dir[0] && dz === dir[1]);
      const next = straight && rnd() < 0.8 ? straight : cand[ri(0, cand.length - 1)];
      if (dir && (next[0] !== dir[0] || next[1] !== dir[1])) pts.push([x, z]);
      dir = next;
      x += next[0], z += next[1];
      seen.add(z * W + x);
    }
    pts.push([x, z]);
    const uniq = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1][0] || p[1] !== pts[i - 1][1]);
    return uniq;
  };
  const legLength = (pts) => pts.slice(1).reduce((n, p, i) => n + Math.abs(p[0] - pts[i][0]) + Math.abs(p[1] - pts[i][1]), 0);
  const wanderWalk = (start, legs) => {
    let [x, z] = start;
    const pts = [[x, z]];
    let back = null;
    for (let l = 0; l < legs; l++) {
      for (let tries = 0; tries < 12; tries++) {
        const [dx, dz] = N4[ri(0, 3)], n = ri(2, 5);
        if (back && dx === back[0] && dz === back[1]) continue; // no doubling back
        let ok = true;
        for (let k = 1; k <= n && ok; k++) ok = WALKABLE(at(x + dx * k, z + dz * k)) && inside(x + dx * k, z + dz * k, 2);
        if (!ok) continue;
        x += dx * n, z += dz * n;
        pts.push([x, z]);
        back = [-dx, -dz];
        break;
      }
    }
    return pts;
  };
  const cyclic = (pts) => [...pts, ...pts.slice(1, -1).reverse()];
  const pathTiles = [];
  for (let z = 0; z < H; z++) for (let x = 0; x < W; x++) if (tiles[z * W + x] === TILE.PATH) pathTiles.push([x, z]);
  const npcs = [];
  const placeNpc = (kind, name) => {
    for (let tries = 0; tries < 3000; tries++) {
      let start, pts;
      const loose = tries > 1500;
      if (kind === 'critter') {
        start = [ri(3, W - 4), ri(3, H - 4)];
        if (at(...start) !== TILE.GRASS || onFoot[start[1] * W + start[0]] < 0 || dist(start, spawn) < 10) continue;
        pts = wanderWalk(start, 3);
        if (pts.length < 3) continue;
      } else {
        start = pathTiles[ri(0, pathTiles.length - 1)];
        const d = dist(start, spawn);
        if (kind === 'villager' && (d < 4 || (npcs.length === 0 ? d > 12 : false))) continue;
        if (kind === 'guard' && (d < 16 || dist(start, exit) < 5)) continue;
        pts = pathWalk(start, kind === 'guard' ? ri(10, 18) : ri(6, 10));
        if (pts.length < 2 || legLength(pts) < (kind === 'guard' ? 8 : 5)) continue;
        if (kind === 'guard' && pts.some((p) => dist(p, spawn) < 12)) continue;
        if (kind === 'villager' && pts.some((p) => dist(p, spawn) < 3)) continue;
      }
      if (!loose && npcs.some((n) => dist([n.x, n.z], start) < 8)) continue;
      if (taken.has(start[1] * W + start[0])) continue;
      taken.add(start[1] * W + start[0]);
      const patrol = cyclic(pts).map(([x, z]) => [x + 0.5, z + 0.5]);
      npcs.push({ id: npcs.length + 1, name, kind, x: start[0] + 0.5, z: start[1] + 0.5, patrol, knot: `w${def.id}_${slug(name)}` });
      return;
    }
    throw new Error(`world ${def.id}: no place for ${kind} ${name}`);
  };
  for (const [kind, name] of def.npcs) placeNpc(kind, name);
  // Every leg of every patrol (the last back to the first) crosses walkable tiles only.
  for (const n of npcs) {
    for (let i = 0; i < n.patrol.length; i++) {
      const [ax, az] = n.patrol[i], [bx, bz] = n.patrol[(i + 1) % n.patrol.length];
      const steps = Math.ceil(Math.hypot(bx - ax, bz - az) * 20);
      for (let s = 0; s <= steps; s++) {
        const x = ax + ((bx - ax) * s) / steps, z = az + ((bz - az) * s) / steps;
        if (!WALKABLE(at(Math.floor(x), Math.floor(z)))) throw new Error(`world ${def.id}: ${n.name}'s patrol crosses a blocked tile at (${x}, ${z})`);
      }
    }
  }

  // Props, per chunk, most important first (coins are never dropped).
  const props = Array.from({ length: CX * CZ }, () => []);
  const used = new Set(taken);
  const prop = (kind, x, z, prio) => props[Math.floor(z / 16) * CX + Math.floor(x / 16)].push({ prio, p: { kind, x: r2(x), z: r2(z) } });
  for (const [x, z] of coins) prop('coin', x + 0.5, z + 0.5, 0);
  const grassBeside = (x, z) => N4.map(([dx, dz]) => [x + dx, z + dz]).filter(([a, b]) => at(a, b) === TILE.GRASS && inside(a, b, 2) && !used.has(b * W + a));
  const nearPath = (x, z) => N4.some(([dx, dz]) => at(x + dx, z + dz) === TILE.PATH);
  // Lanterns: by the exit, then along the paths, about 9 tiles apart.
  const lanterns = [];
  const lantern = (x, z) => { used.add(z * W + x); lanterns.push([x, z]); prop('lantern', x + 0.5, z + 0.5, 1); };
  for (const [x, z] of grassBeside(...exit).slice(0, 2)) lantern(x, z);
  for (const [x, z] of pathTiles) {
    if (rnd() > 0.25 || lanterns.some((l) => dist(l, [x, z]) < 9)) continue;
    const g = grassBeside(x, z);
    if (g.length) lantern(...g[ri(0, g.length - 1)]);
  }
  // Crates: a stack of supplies by the spawn, and some by the roadside.
  const crates = [];
  const crate = (x, z) => { used.add(z * W + x); crates.push([x, z]); prop('crate', x + 0.5 + (rnd() - 0.5) * 0.2, z + 0.5 + (rnd() - 0.5) * 0.2, 2); };
  for (const [x, z] of grassBeside(...spawn).slice(0, 2)) crate(x, z);
  for (let k = 0; k < CX * CZ * 0.7; k++) {
    const [px, pz] = pathTiles[ri(0, pathTiles.length - 1)];
    const g = grassBeside(px, pz);
    if (g.length && !crates.some((c) => dist(c, [px, pz]) < 7)) crate(...g[0]);
  }
  // Rocks by the outcrops and scattered; trees in the woods (where the noise is high), off the paths.
  for (let z = 2; z < H - 2; z++) {
    for (let x = 2; x < W - 2; x++) {
      if (at(x, z) !== TILE.GRASS || used.has(z * W + x) || nearPath(x, z) || !farFromEnds(x, z, 2.5)) continue;
      const byRock = N4.some(([dx, dz]) => at(x + dx, z + dz) === TILE.ROCK);
      if ((byRock && rnd() < 0.18) || rnd() < 0.012) {
        used.add(z * W + x);
        prop('rock', x + 0.5 + (rnd() - 0.5) * 0.4, z + 0.5 + (rnd() - 0.5) * 0.4, 3);
      } else if (noise(x + 100, z + 100) > 0.55 && rnd() < def.forest * 2) {
        used.add(z * W + x);
        prop('tree', x + 0.5 + (rnd() - 0.5) * 0.5, z + 0.5 + (rnd() - 0.5) * 0.5, 4);
      }
    }
  }
  const chunks = [];
  for (let cx = 0; cx < CX; cx++) {
    for (let cz = 0; cz < CZ; cz++) {
      const list = props[cz * CX + cx].sort((a, b) => a.prio - b.prio);
      let json;
      while ((json = JSON.stringify(list.map((e) => e.p))).length > PROPS_BUDGET) {
        if (list.at(-1).prio === 0) throw new Error(`world ${def.id}: chunk ${cx},${cz} has too many coins`);
        list.pop();
      }
      const t = new Uint8Array(256);
      for (let z = 0; z < 16; z++) for (let x = 0; x < 16; x++) t[z * 16 + x] = tiles[(cz * 16 + z) * W + cx * 16 + x];
      chunks.push({ cx, cz, tiles: t, props: json, kinds: list.map((e) => e.p.kind) });
    }
  }
  const count = (k) => chunks.reduce((n, c) => n + c.kinds.filter((x) => x === k).length, 0);
  if (count('coin') !== def.coins) throw new Error(`world ${def.id}: ${count('coin')} coins placed, ${def.coins} wanted`);

  // Words: the intro and the NPCs' lines know where things are.
  const guards = npcs.filter((n) => n.kind === 'guard').map((n) => n.name);
  const exitDir = compass(exit[0] - spawn[0], exit[1] - spawn[1]);
  const intro = `Collect all ${NUMBER[def.coins]} coins scattered around ${def.name}, then reach the gate to the ${exitDir}. ` +
    `Keep clear of ${guards.join(' and ')}: stray within five paces and they give chase.`;
  return {
    def, W, H, tiles, spawn, exit, coins, npcs, chunks, parTime, tour, intro,
    stats: { path: pathTiles.length, lanterns: count('lantern'), crates: count('crate'), trees: count('tree'), rocks: count('rock') },
  };
}

/** The ink knot of each NPC (villager hints, guard warnings, critter squeaks). */
function npcKnots(w) {
  const rnd = prng(w.def.seed + 7);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const out = [`// ---- World ${w.def.id}: ${w.def.name}`];
  for (const n of w.npcs) {
    const nx = n.x - 0.5, nz = n.z - 0.5;
    const near = [...w.coins].sort((a, b) => Math.hypot(a[0] - nx, a[1] - nz) - Math.hypot(b[0] - nx, b[1] - nz))[0];
    const d = Math.hypot(near[0] - nx, near[1] - nz);
    const where = d < 4 ? `just a few paces to the ${compass(near[0] - nx, near[1] - nz)}` : `to the ${compass(near[0] - nx, near[1] - nz)}, about ${Math.round(d / 5) * 5} paces from here`;
    const exitDir = compass(w.exit[0] - nx, w.exit[1] - nz);
    const short = n.name.split(' ').at(-1);
    out.push('', `=== ${n.knot} ===`);
    if (n.kind === 'villager') {
      const coins = NUMBER[w.def.coins][0].toUpperCase() + NUMBER[w.def.coins].slice(1);
      out.push(
        pick([`${n.name} looks up from the path and smiles.`, `${n.name} waves you over.`, `${n.name} leans on a fence post.`, `${n.name} tips a hat to you.`]),
        pick([
          `"${coins} coins are hidden about ${w.def.name}. Gather them all before you leave."`,
          `"You are after the coins too? There are ${NUMBER[w.def.coins]} of them, all over ${w.def.name}."`,
          `"Lost something? Folk say ${NUMBER[w.def.coins]} coins lie scattered about ${w.def.name}."`,
        ]),
        `* [Seen any coins?]`,
        `    "One glints ${where}."`,
        `* [Where is the way out?]`,
        `    "The gate is to the ${exitDir}. Follow the path and you will not get lost."`,
        `- "${pick(['Good luck, friend.', 'Mind the guards on the road.', 'Come back and tell me how it went.'])}"`,
        `-> END`,
      );
    } else if (n.kind === 'guard') {
      out.push(
        `"Halt!" ${n.name} raises a hand. "This road belongs to ${w.def.watch}."`,
        `"Come within five paces of me and I will chase you down."`,
        `* [I am only passing through.]`,
        `    "Then pass quickly, and keep your distance."`,
        `* [And if I outrun you?]`,
        `    "Get nine paces clear and I will let you go. Nobody outruns ${short} twice."`,
        `- -> END`,
      );
    } else {
      const sound = pick(['Squeak!', 'Squeak squeak!', 'Eep!']);
      const who = / the /.test(n.name) ? n.name : `The ${n.name.toLowerCase()}`;
      out.push(
        `${who} freezes and stares at you. "${sound}"`,
        `* [Offer a crumb]`,
        `    It nibbles the crumb, squeaks happily and darts off.`,
        `* [Leave it be]`,
        `    It twitches once and bolts into the grass.`,
        `- -> END`,
      );
    }
  }
  return out.join('\n') + '\n';
}

/** The game's tables (see the section "worlds" above): worlds, chunks (16 x 16 tiles each) and npcs. */
async function worldTables(sqlite3, db, worlds) {
  await sqlite3.exec(db, `
    CREATE TABLE worlds (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      par_time REAL NOT NULL,
      chunks_x INT NOT NULL,
      chunks_z INT NOT NULL,
      spawn_x REAL NOT NULL,
      spawn_z REAL NOT NULL,
      exit_x REAL NOT NULL,
      exit_z REAL NOT NULL,
      coins INT NOT NULL,
      palette TEXT NOT NULL,
      intro TEXT NOT NULL
    );
    CREATE TABLE chunks (
      world INT NOT NULL,
      cx INT NOT NULL,
      cz INT NOT NULL,
      tiles BLOB NOT NULL,
      props TEXT NOT NULL,
      PRIMARY KEY (world, cx, cz)
    ) WITHOUT ROWID;
    CREATE TABLE npcs (
      world INT NOT NULL,
      id INT NOT NULL,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      x REAL NOT NULL,
      z REAL NOT NULL,
      patrol TEXT NOT NULL,
      knot TEXT NOT NULL,
      PRIMARY KEY (world, id)
    ) WITHOUT ROWID;
    INSERT INTO meta VALUES ('worlds', '${worlds.length}'), ('chunk_size', '16x16'),
      ('tiles', '0 grass, 1 path, 2 water, 3 rock, 4 hedge (2-4 block)'), ('par_speed', '${PAR_SPEED}');`);
  const insert = async (sql, rows) => {
    for await (const stmt of sqlite3.statements(db, sql)) {
      for (const row of rows) {
        sqlite3.bind_collection(stmt, row);
        await sqlite3.step(stmt);
        await sqlite3.reset(stmt);
      }
    }
  };
  await insert('INSERT INTO worlds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', worlds.map((w) => [
    w.def.id, w.def.name, w.parTime, w.def.chunks[0], w.def.chunks[1], w.spawn[0] + 0.5, w.spawn[1] + 0.5, w.exit[0] + 0.5, w.exit[1] + 0.5,
    w.def.coins, JSON.stringify(w.def.palette), w.intro,
  ]));
  await insert('INSERT INTO chunks VALUES (?, ?, ?, ?, ?)', worlds.flatMap((w) => w.chunks.map((c) => [w.def.id, c.cx, c.cz, c.tiles, c.props])));
  await insert('INSERT INTO npcs VALUES (?, ?, ?, ?, ?, ?, ?, ?)', worlds.flatMap((w) => w.npcs.map((n) => [
    w.def.id, n.id, n.name, n.kind, n.x, n.z, JSON.stringify(n.patrol), n.knot,
  ])));
}

// ---------------------------------------------------------------- ink

function dialogue(worlds) {
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
  // The NPCs' knots live here (no new INCLUDE): the story still reads three files.
  put('dialogue/characters.ink', `// People of the tavern, and of the five worlds: one knot per NPC (the knot column of levels.db's npcs table).
VAR innkeeper = "Mara"

=== function greet(who) ===
~ return "Well met, " + who + "."

` + worlds.map(npcKnots).join('\n'));
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
  const worlds = WORLD_DEFS.map(buildWorld);
  await levelsDb(2000, worlds);
  dialogue(worlds);
  for (const [path, size] of written) console.log(`${String(size).padStart(9)}  ${path}`);
  console.log(`scene meshes: ${JSON.stringify(scene)}; obj: ${JSON.stringify(obj)}`);
  for (const w of worlds) {
    console.log(`world ${w.def.id} ${w.def.name}: ${w.W}x${w.H} tiles, ${w.def.coins} coins, ${w.npcs.length} npcs, par ${w.parTime} s (tour ${w.tour} tiles), ` +
      `spawn ${w.spawn} exit ${w.exit}, ${JSON.stringify(w.stats)}, props json max ${Math.max(...w.chunks.map((c) => c.props.length))} B`);
  }
}
