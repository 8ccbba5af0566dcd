// The fetch backend in Chromium against the vite dev server itself (the test page's origin).
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { createIo } from '../../../../plugin-ltask/src/services/io/index.ts';
import { serviceLogs } from '../../../support/logs.ts';

const ROOT = '/test/fixtures/io/';
/** The reference bytes, by a plain fetch of the whole file (not through the io service). */
const whole = async (path: string) => new Uint8Array(await (await fetch(ROOT + path.split('/').map(encodeURIComponent).join('/'))).arrayBuffer());

const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime | null = null;
afterAll(async () => {
  await rt?.stop();
});

describe('io fetch backend in the browser (vite dev server)', () => {
  it('the dev server honours Range (206 with Content-Range)', async () => {
    const res = await fetch(`${ROOT}big.bin`, { headers: { Range: 'bytes=100-149' } });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toMatch(/^bytes 100-149\/\d+$/);
    expect(body.length).toBe(50);
  });

  it('reads whole files and ranges from a root relative to the page', async () => {
    const io = createIo({ backend: 'fetch', root: ROOT });
    const big = await whole('big.bin');
    expect(big.length).toBeGreaterThan(4096);
    expect(await io.read('big.bin')).toEqual(big);
    expect(await io.read('big.bin', 100, 50)).toEqual(big.subarray(100, 150));
    expect(await io.read('big.bin', big.length - 300)).toEqual(big.subarray(big.length - 300));
    expect(await io.read('sp ace.txt')).toEqual(await whole('sp ace.txt'));
    expect(new TextDecoder().decode(await io.read('sub/c.txt'))).toBe(new TextDecoder().decode(await whole('sub/c.txt')));
    // The two partial reads went out as Range requests and the server answered them (no whole-file fallback).
    expect(io.stats()).toMatchObject({ reads: 5, backend: { rangeRequests: 2, rangeIgnored: 0 } });
    expect(await io.stat('big.bin')).toEqual({ size: big.length, kind: 'file' });
  });

  it('errors: not found, out of range, sandbox', async () => {
    const io = createIo({ backend: 'fetch', root: ROOT });
    const size = (await whole('big.bin')).length;
    await expect(io.read('nope.bin')).rejects.toThrow('[io] not found: nope.bin');
    await expect(io.read('big.bin', size + 10, 5)).rejects.toThrow(`[io] out of range: big.bin offset ${size + 10} length 5 (size ${size})`);
    await expect(io.read('big.bin', size - 2, 5)).rejects.toThrow(`[io] out of range: big.bin offset ${size - 2} length 5 (size ${size})`);
    await expect(io.read('../../package.json')).rejects.toThrow('[io] path escapes the asset root: ../../package.json');
    await expect(io.read(`${location.origin}/package.json`)).rejects.toThrow('[io] URLs are not allowed');
    await expect(io.read('//example.com/x')).rejects.toThrow('[io] absolute paths are not allowed');
    expect(await io.list('sub')).toEqual(['c.txt', 'deeper/']);
  });

  it('the io service on a Web Worker serves a Lua service', async () => {
    rt = await startRuntime({
      workers: 2,
      base: new URL('/', location.href).href,
      services: { io: new URL('../../../../plugin-ltask/src/services/io/index.ts', import.meta.url).href },
      sources: {
        'service/reader.lua': `
          local ltask = require "ltask"
          local io = ...
          return {
            read = function(...) local b = ltask.call(io, "read", ...) return #b, string.byte(b, 1), string.byte(b, #b) end,
          }`,
      },
      onLog: logs.onLog,
    });
    const io = await rt.spawn('io', { backend: 'fetch', root: ROOT });
    const reader = await rt.spawn('reader', io);
    const big = await whole('big.bin');
    expect(await rt.callMulti(reader, 'read', 'big.bin', 100, 50)).toEqual([50, big[100], big[149]]);
    expect(await rt.callMulti(reader, 'read', 'big.bin')).toEqual([big.length, big[0], big[big.length - 1]]);
    expect(await rt.call(io, 'stats')).toMatchObject({ reads: 2, bytes: big.length + 50, backend: { rangeIgnored: 0 } });
  });
});
