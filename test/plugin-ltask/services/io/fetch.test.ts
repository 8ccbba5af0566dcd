// The fetch backend in Node against real local HTTP servers (node:http) serving test/fixtures/io/.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIo } from '../../../../plugin-ltask/src/services/io/index.ts';
import { FIXTURES, fixture } from './helpers.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
}

interface ServerMode {
  /** Answer 200 with the whole file whatever the Range header says. */
  ignoreRange?: boolean;
  /** HEAD answers without Content-Length (chunked), so stat must fall back to a Range GET. */
  headWithoutLength?: boolean;
  /** A missing file gets an HTML page and 200, as single-page-app servers answer. */
  spaFallback?: boolean;
}

/** A small static server with Range support (RFC 9110 single ranges), recording every request. */
function startServer(mode: ServerMode): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: Seen = { method: req.method ?? '', url: url.pathname, headers: req.headers, status: 0 };
    seen.push(rec);
    const send = (status: number, headers: Record<string, string | number>, body?: { start: number; end: number; file: string } | string) => {
      rec.status = status;
      res.writeHead(status, headers);
      if (req.method === 'HEAD' || body === undefined) return void res.end();
      if (typeof body === 'string') return void res.end(body);
      if (body.end < body.start) return void res.end();
      createReadStream(body.file, { start: body.start, end: body.end }).pipe(res);
    };
    if (url.pathname === '/fail/500') return send(500, { 'Content-Type': 'text/plain' }, 'boom');
    const file = resolve(FIXTURES, '.' + decodeURIComponent(url.pathname));
    if (!(file + sep).startsWith(FIXTURES) && file + sep !== FIXTURES) return send(403, {}, 'forbidden');
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return send(404, {}, 'not a file');
      size = st.size;
    } catch {
      if (mode.spaFallback) return send(200, { 'Content-Type': 'text/html' }, '<!doctype html><title>app</title>');
      return send(404, { 'Content-Type': 'text/plain' }, 'not found');
    }
    const base = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': mode.ignoreRange ? 'none' : 'bytes' };
    if (req.method === 'HEAD' && mode.headWithoutLength) {
      rec.status = 200;
      res.writeHead(200, { ...base, 'Transfer-Encoding': 'chunked' });
      return void res.end();
    }
    const range = req.headers.range;
    if (range && !mode.ignoreRange) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range);
      if (!m || (m[1] === '' && m[2] === '')) return send(416, { 'Content-Range': `bytes */${size}` }, '');
      let start: number;
      let end: number;
      if (m[1] === '') {
        start = Math.max(0, size - Number(m[2]));
        end = size - 1;
      } else {
        start = Number(m[1]);
        end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
      }
      if (start >= size || end < start) return send(416, { 'Content-Range': `bytes */${size}` }, '');
      return send(206, { ...base, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 }, { start, end, file });
    }
    return send(200, { ...base, 'Content-Length': size }, { start: 0, end: size - 1, file });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen })),
  );
}

const big = fixture('big.bin');
const a = fixture('a.txt');
const servers: Awaited<ReturnType<typeof startServer>>[] = [];
let ranged: (typeof servers)[number];
let ignoring: (typeof servers)[number];
let headless: (typeof servers)[number];

beforeAll(async () => {
  servers.push((ranged = await startServer({})), (ignoring = await startServer({ ignoreRange: true })), (headless = await startServer({ headWithoutLength: true })));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((ok) => s.server.close(ok))));
});

describe('fetch backend, server with Range support', () => {
  it('reads whole files, and names with spaces are percent-encoded', async () => {
    const io = createIo({ backend: 'fetch', root: ranged.url });
    expect(await io.read('a.txt')).toEqual(a);
    expect(await io.read('big.bin')).toEqual(big);
    expect(await io.read('sp ace.txt')).toEqual(fixture('sp ace.txt'));
    expect(ranged.seen.some((r) => r.url === '/sp%20ace.txt')).toBe(true);
    expect((await io.read('empty.txt')).length).toBe(0);
  });

  it('partial reads are Range requests answered 206', async () => {
    const io = createIo({ backend: 'fetch', root: ranged.url });
    const before = ranged.seen.length;
    expect(await io.read('big.bin', 100, 50)).toEqual(big.subarray(100, 150));
    expect(await io.read('big.bin', big.length - 536)).toEqual(big.subarray(big.length - 536));
    const reqs = ranged.seen.slice(before);
    expect(reqs.map((r) => [r.headers.range, r.status])).toEqual([
      ['bytes=100-149', 206],
      [`bytes=${big.length - 536}-`, 206],
    ]);
    expect(io.stats()).toMatchObject({ reads: 2, bytes: 50 + 536, backend: { rangeRequests: 2, rangeIgnored: 0, transferred: 50 + 536 } });
  });

  it('out of range: 416 and short 206 answers become the io error; the empty range at the end is fine', async () => {
    const io = createIo({ backend: 'fetch', root: ranged.url });
    const n = big.length;
    await expect(io.read('big.bin', n + 5, 10)).rejects.toThrow(`[io] out of range: big.bin offset ${n + 5} length 10 (size ${n})`);
    // The server clamps bytes=n-10..n to the last 10 bytes (206): still out of range for 11 bytes.
    await expect(io.read('big.bin', n - 10, 11)).rejects.toThrow(`[io] out of range: big.bin offset ${n - 10} length 11 (size ${n})`);
    expect((await io.read('big.bin', n)).length).toBe(0);
    expect((await io.read('big.bin', 3, 0)).length).toBe(0);
    await expect(io.read('big.bin', n + 1, 0)).rejects.toThrow('[io] out of range');
  });

  it('not found, server errors and sandbox rejections (no request sent)', async () => {
    const io = createIo({ backend: 'fetch', root: ranged.url });
    await expect(io.read('nope.txt')).rejects.toThrow('[io] not found: nope.txt');
    await expect(io.read('nope.txt', 1, 2)).rejects.toThrow('[io] not found: nope.txt');
    await expect(io.stat('nope.txt')).rejects.toThrow('[io] not found: nope.txt');
    await expect(io.read('fail/500')).rejects.toThrow('[io] HTTP 500 Internal Server Error for fail/500');
    const before = ranged.seen.length;
    await expect(io.read('../package.json')).rejects.toThrow('[io] path escapes the asset root: ../package.json');
    await expect(io.read(`${ranged.url}a.txt`)).rejects.toThrow('[io] URLs are not allowed');
    await expect(io.read('//evil.example/a.txt')).rejects.toThrow('[io] absolute paths are not allowed');
    expect(ranged.seen.length).toBe(before);
    // A root below the server's top: ".." inside the sandbox resolves within it.
    const sub = createIo({ backend: 'fetch', root: `${ranged.url}sub` });
    expect(await sub.read('deeper/../c.txt')).toEqual(fixture('sub/c.txt'));
    await expect(sub.read('../a.txt')).rejects.toThrow('[io] path escapes the asset root: ../a.txt');
  });

  it('stat by HEAD (Content-Length); list from index.json', async () => {
    const io = createIo({ backend: 'fetch', root: ranged.url });
    const before = ranged.seen.length;
    expect(await io.stat('big.bin')).toEqual({ size: big.length, kind: 'file' });
    expect(ranged.seen.slice(before).map((r) => r.method)).toEqual(['HEAD']);
    expect(await io.stat('empty.txt')).toEqual({ size: 0, kind: 'file' });
    expect(await io.list('')).toEqual(['a.txt', 'big.bin', 'empty.txt', 'sp ace.txt', 'sub/']);
    expect(await io.list('sub')).toEqual(['c.txt', 'deeper/']);
    expect(await io.stat('sub')).toEqual({ size: 0, kind: 'dir' });
    await expect(io.list('a.txt')).rejects.toThrow('[io] not a directory: a.txt');
    await expect(io.list('nope')).rejects.toThrow('[io] not found: nope');
    expect(ranged.seen.slice(before).filter((r) => r.url === '/index.json')).toHaveLength(1); // loaded once
  });

  it('list without a manifest is a clear error', async () => {
    const io = createIo({ backend: 'fetch', root: `${ranged.url}sub/` });
    await expect(io.list('')).rejects.toThrow(`[io] list is not supported over plain HTTP: no index.json manifest at ${ranged.url}sub/`);
    const none = createIo({ backend: 'fetch', root: ranged.url, manifest: null });
    await expect(none.list('')).rejects.toThrow('[io] list is not supported over plain HTTP');
  });
});

describe('fetch backend, other servers', () => {
  it('a server that ignores Range: the whole body is sliced, and counted', async () => {
    const io = createIo({ backend: 'fetch', root: ignoring.url });
    const before = ignoring.seen.length;
    expect(await io.read('big.bin', 100, 50)).toEqual(big.subarray(100, 150));
    expect(ignoring.seen.slice(before).map((r) => [r.headers.range, r.status])).toEqual([['bytes=100-149', 200]]);
    expect(io.stats()).toMatchObject({ reads: 1, bytes: 50, backend: { rangeIgnored: 1, transferred: big.length } });
    await expect(io.read('big.bin', big.length - 1, 2)).rejects.toThrow(`[io] out of range: big.bin offset ${big.length - 1} length 2 (size ${big.length})`);
    expect((await io.read('big.bin', big.length)).length).toBe(0);
  });

  it('HEAD without Content-Length: stat asks for bytes=0-0 and reads Content-Range', async () => {
    const io = createIo({ backend: 'fetch', root: headless.url });
    const before = headless.seen.length;
    expect(await io.stat('big.bin')).toEqual({ size: big.length, kind: 'file' });
    expect(headless.seen.slice(before).map((r) => [r.method, r.headers.range ?? null, r.status])).toEqual([
      ['HEAD', null, 200],
      ['GET', 'bytes=0-0', 206],
    ]);
    expect(await io.stat('empty.txt')).toEqual({ size: 0, kind: 'file' }); // 416 bytes */0
  });

  it('a single-page-app fallback (HTML, 200) for a missing file is "not found", not data', async () => {
    const spa = await startServer({ spaFallback: true });
    servers.push(spa);
    const io = createIo({ backend: 'fetch', root: spa.url });
    expect(await io.read('a.txt')).toEqual(a);
    await expect(io.read('no/such.bin')).rejects.toThrow(/^\[io\] not found: no\/such\.bin \(the server answered with an HTML page/);
    await expect(io.read('no/such.bin', 4, 8)).rejects.toThrow(/not found: no\/such\.bin/);
  });

  it('a server that is down is a clear error', async () => {
    const { server, url } = await startServer({});
    await new Promise((ok) => server.close(ok));
    const io = createIo({ backend: 'fetch', root: url });
    await expect(io.read('a.txt')).rejects.toThrow(`[io] fetch failed for a.txt (${url}a.txt)`);
  });
});
