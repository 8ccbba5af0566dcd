// The io service through the real runtime: spawned by name, called from a Lua service on another worker.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { FIXTURES, fixture } from './helpers.ts';
import { serviceLogs } from '../../../support/logs.ts';

const READER = `
local ltask = require "ltask"
local io = ...
local S = {}

local function sum(s)
  local t = 0
  for i = 1, #s do t = t + string.byte(s, i) end
  return t
end

function S.sizes()
  local a = ltask.call(io, "read", "a.txt")
  local b = ltask.call(io, "read", "big.bin", 100, 50)
  return #a, #b, a, sum(b), type(b)
end

function S.try(path, ...)
  return pcall(ltask.call, io, "read", path, ...)
end

-- Mean seconds per read of n reads of size bytes, each checked.
function S.bench(n, size)
  local t0 = ltask.counter()
  for i = 1, n do
    local b = ltask.call(io, "read", "big.bin", (i * size) % (65536 - size), size)
    if #b ~= size then error("short read " .. #b) end
  end
  return (ltask.counter() - t0) / n
end

return S
`;

const IO_URL = new URL('../../../../plugin-ltask/src/services/io/index.ts', import.meta.url).href;
const big = fixture('big.bin');
const a = fixture('a.txt');
const sum = (b: Uint8Array) => b.reduce((s, x) => s + x, 0);

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
let server: Server | null = null;
afterEach(async () => {
  await rt?.stop();
  rt = null;
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  server = null;
});

async function start(): Promise<Runtime> {
  rt = await startRuntime({ workers: 2, services: { io: IO_URL }, sources: { 'service/reader.lua': READER }, onLog: logs.onLog });
  return rt;
}

/** Spawns a reader pinned to the worker that does not host `io`, so every call crosses workers. */
async function readerFor(r: Runtime, io: number): Promise<number> {
  const ioWorker = (await r.inspect()).find((x) => x.address === io)?.worker;
  expect(ioWorker).toBeTypeOf('number');
  return r.spawnService({ name: 'reader', args: [io], worker_id: ioWorker === 0 ? 1 : 0 });
}

describe('io service in the runtime', () => {
  it('a Lua service reads whole files and ranges through ltask.call (fs backend)', async () => {
    const r = await start();
    const io = await r.spawn('io', { backend: 'fs', root: FIXTURES });
    const reader = await readerFor(r, io);
    const [na, nb, text, bsum, btype] = await r.callMulti(reader, 'sizes');
    expect([na, nb]).toEqual([a.length, 50]);
    expect(text).toBe(new TextDecoder().decode(a));
    expect(bsum).toBe(sum(big.subarray(100, 150)));
    expect(btype).toBe('string'); // Uint8Array arrives in Lua as a byte string
    expect(await r.call(io, 'stats')).toMatchObject({ reads: 2, bytes: a.length + 50 });
    // The host (or a TS service) gets the bytes as a Uint8Array.
    expect(await r.call(io, 'read', 'big.bin', 1000, 24)).toEqual(big.subarray(1000, 1024));
  });

  it('io errors are re-raised in Lua with the io message', async () => {
    const r = await start();
    const io = await r.spawn('io', { backend: 'fs', root: FIXTURES });
    const reader = await readerFor(r, io);
    const cases: [unknown[], string][] = [
      [['../x'], '[io] path escapes the asset root: ../x'],
      [['nope.txt'], '[io] not found: nope.txt'],
      [['big.bin', big.length, 1], `[io] out of range: big.bin offset ${big.length} length 1 (size ${big.length})`],
      [['a.txt', 1.5], '[io] offset must be a non-negative integer, got 1.5'],
      [['a.txt', -3], '[io] offset must be a non-negative integer, got -3'],
    ];
    for (const [args, message] of cases) {
      const [ok, err] = await r.callMulti(reader, 'try', ...args);
      expect(ok).toBe(false);
      expect(String(err)).toContain(message);
    }
    await expect(r.call(io, 'read', '/etc/passwd')).rejects.toThrow('[io] absolute paths are not allowed');
  });

  it('bad spawn options fail the spawn with the io message', async () => {
    const r = await start();
    // One live service keeps the runtime up (it ends with its last anonymous service, ltask's rule).
    const ok = await r.spawn('io', { backend: 'memory', files: { 'x.txt': 'x' } });
    await expect(r.spawn('io', { backend: 'nfs' })).rejects.toThrow(`[io] option backend must be 'fetch', 'fs' or 'memory', got "nfs"`);
    await expect(r.spawn('io')).rejects.toThrow('[io] options must be an object');
    expect(new TextDecoder().decode(await r.call<Uint8Array>(ok, 'read', 'x.txt'))).toBe('x');
  });

  it('the fetch backend works inside a worker too, and 4 KiB reads from Lua are measured', async () => {
    server = createServer((req, res) => {
      const file = join(FIXTURES, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        res.writeHead(404).end();
        return;
      }
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (m) {
        const s = Number(m[1]);
        const e = Math.min(Number(m[2]), size - 1);
        res.writeHead(206, { 'Content-Range': `bytes ${s}-${e}/${size}`, 'Content-Length': e - s + 1 });
        createReadStream(file, { start: s, end: e }).pipe(res);
      } else {
        res.writeHead(200, { 'Content-Length': size });
        createReadStream(file).pipe(res);
      }
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const r = await start();
    const viaHttp = await r.spawn('io', { backend: 'fetch', root: url });
    const viaFs = await r.spawn('io', { backend: 'fs', root: FIXTURES });
    const viaMem = await r.spawn('io', { backend: 'memory', files: { 'a.txt': a, 'big.bin': big } });
    const results: Record<string, number> = {};
    for (const [name, io] of [['memory', viaMem], ['fs', viaFs], ['fetch', viaHttp]] as const) {
      const reader = await readerFor(r, io);
      const [na, , , bsum] = await r.callMulti(reader, 'sizes');
      expect([na, bsum]).toEqual([a.length, sum(big.subarray(100, 150))]);
      await r.call(reader, 'bench', 20, 4096); // warm-up
      const n = name === 'fetch' ? 100 : 300;
      const mean = await r.call<number>(reader, 'bench', n, 4096);
      expect(mean).toBeGreaterThan(0);
      results[name] = Math.round(mean * 1e6);
      const st = await r.call<{ reads: number; bytes: number }>(io, 'stats');
      expect(st.bytes).toBeGreaterThanOrEqual((n + 20) * 4096);
    }
    console.log(`[io] 4 KiB read from Lua, across workers, mean us: ${JSON.stringify(results)}`);
  });
});
