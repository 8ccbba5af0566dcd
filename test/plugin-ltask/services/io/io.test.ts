import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIo, MemoryBackend, normalizePath, type IoBackend, type IoHandlers } from '../../../../plugin-ltask/src/services/io/index.ts';
import { FIXTURES, fixture, fixtureFiles, timed } from './helpers.ts';

const files = fixtureFiles();
const big = fixture('big.bin');
const a = fixture('a.txt');

// The same expectations against the memory backend (loaded from the fixture files) and the real file system.
const backends: [string, () => IoHandlers][] = [
  ['memory', () => createIo({ backend: 'memory', files })],
  ['fs', () => createIo({ backend: 'fs', root: FIXTURES })],
];

describe.each(backends)('%s backend', (_name, make) => {
  it('reads whole files, byte for byte', async () => {
    const io = make();
    expect(await io.read('a.txt')).toEqual(a);
    expect(await io.read('big.bin')).toEqual(big);
    expect(await io.read('sub/c.txt')).toEqual(fixture('sub/c.txt'));
    expect(await io.read('sp ace.txt')).toEqual(fixture('sp ace.txt'));
    expect((await io.read('empty.txt')).length).toBe(0);
  });

  it('reads ranges: offset and length, offset to the end, empty ranges at the end', async () => {
    const io = make();
    expect(await io.read('big.bin', 100, 50)).toEqual(big.subarray(100, 150));
    expect(await io.read('big.bin', big.length - 536)).toEqual(big.subarray(big.length - 536));
    expect(await io.read('big.bin', 0, big.length)).toEqual(big);
    expect((await io.read('big.bin', big.length)).length).toBe(0);
    expect((await io.read('big.bin', big.length, 0)).length).toBe(0);
    expect((await io.read('big.bin', 7, 0)).length).toBe(0);
    // Lua's nil arrives as undefined or null: both mean "absent".
    expect(await io.read('a.txt', null as unknown as undefined, 3)).toEqual(a.subarray(0, 3));
  });

  it('counts reads and bytes', async () => {
    const io = make();
    await io.read('big.bin', 10, 1000);
    await io.read('a.txt');
    await io.read('nope.txt').catch(() => {});
    expect(io.stats()).toMatchObject({ reads: 2, bytes: 1000 + a.length, errors: 1 });
    io.resetStats();
    expect(io.stats()).toMatchObject({ reads: 0, bytes: 0, errors: 0 });
  });

  it('out of range, not found, directories and bad numbers are clear errors', async () => {
    const io = make();
    const n = big.length;
    await expect(io.read('big.bin', n - 10, 11)).rejects.toThrow(`[io] out of range: big.bin offset ${n - 10} length 11 (size ${n})`);
    await expect(io.read('big.bin', n + 1)).rejects.toThrow(`[io] out of range: big.bin offset ${n + 1} length rest (size ${n})`);
    await expect(io.read('big.bin', n + 1, 0)).rejects.toThrow('[io] out of range');
    await expect(io.read('nope.txt')).rejects.toThrow('[io] not found: nope.txt');
    await expect(io.read('sub/nope/x.txt')).rejects.toThrow('[io] not found: sub/nope/x.txt');
    await expect(io.read('a.txt/x')).rejects.toThrow(/\[io\] (not found|not a directory): a\.txt\/x/);
    await expect(io.read('sub')).rejects.toThrow('[io] is a directory, not a file: sub');
    await expect(io.read('a.txt', -1)).rejects.toThrow('[io] offset must be a non-negative integer, got -1');
    await expect(io.read('a.txt', 1.5)).rejects.toThrow('[io] offset must be a non-negative integer, got 1.5');
    await expect(io.read('a.txt', 0, -2)).rejects.toThrow('[io] length must be a non-negative integer, got -2');
    await expect(io.read('a.txt', 0, Number.NaN)).rejects.toThrow('[io] length must be a non-negative integer, got NaN');
    await expect(io.read('a.txt', '3' as unknown as number)).rejects.toThrow('[io] offset must be a non-negative integer, got "3"');
  });

  it('stat and list', async () => {
    const io = make();
    expect(await io.stat('big.bin')).toEqual({ size: big.length, kind: 'file' });
    expect(await io.stat('empty.txt')).toEqual({ size: 0, kind: 'file' });
    expect(await io.stat('sub')).toEqual({ size: 0, kind: 'dir' });
    expect(await io.stat('')).toEqual({ size: 0, kind: 'dir' });
    await expect(io.stat('nope')).rejects.toThrow('[io] not found: nope');
    const top = [...new Set(Object.keys(files).map((p) => (p.includes('/') ? `${p.split('/')[0]}/` : p)))].sort();
    expect(await io.list('')).toEqual(top);
    expect(await io.list()).toEqual(top);
    expect(await io.list('sub')).toEqual(['c.txt', 'deeper/']);
    expect(await io.list('./sub/deeper/')).toEqual(['d.txt']);
    await expect(io.list('nope')).rejects.toThrow('[io] not found: nope');
    await expect(io.list('a.txt')).rejects.toThrow('[io] not a directory: a.txt');
    expect(io.stats()).toMatchObject({ stats: 4, lists: 4 });
  });
});

describe('sandbox', () => {
  const rejected: [string, string][] = [
    ['../x', '[io] path escapes the asset root: ../x'],
    ['sub/../../x', '[io] path escapes the asset root: sub/../../x'],
    ['./..', '[io] path escapes the asset root: ./..'],
    ['/etc/passwd', '[io] absolute paths are not allowed, only paths relative to the asset root: /etc/passwd'],
    ['//evil.example/x', '[io] absolute paths are not allowed'],
    ['http://evil.example/a.txt', '[io] URLs are not allowed, only paths relative to the asset root: http://evil.example/a.txt'],
    ['file:///etc/passwd', '[io] URLs are not allowed'],
    ['data:text/plain,hi', '[io] URLs are not allowed'],
    ['C:/Windows/win.ini', '[io] URLs are not allowed'],
    ['sub\\c.txt', '[io] backslashes are not allowed in paths (use /): sub\\c.txt'],
    ['..\\x', '[io] backslashes are not allowed'],
    ['a.txt\0.png', '[io] path contains a NUL byte: a.txt\\x00.png'],
    ['', '[io] path names the asset root, not a file: ""'],
    ['sub/..', '[io] path names the asset root, not a file: "sub/.."'],
  ];

  it.each(rejected)('rejects %j before any backend sees it', async (path, message) => {
    const mem = new MemoryBackend(Object.entries(files));
    let seen = 0;
    const spy: IoBackend = {
      kind: 'spy',
      read: (...args) => (seen++, mem.read(...args)),
      stat: (p) => (seen++, mem.stat(p)),
      list: (d) => (seen++, mem.list(d)),
    };
    const io = createIo({ backend: spy });
    await expect(io.read(path)).rejects.toThrow(message);
    if (path !== '' && path !== 'sub/..') await expect(io.stat(path)).rejects.toThrow(message);
    expect(seen).toBe(0);
  });

  it('rejects non-string paths (e.g. bytes that were not UTF-8 in Lua)', async () => {
    const io = createIo({ backend: 'memory', files });
    await expect(io.read(new Uint8Array([0xff]) as unknown as string)).rejects.toThrow('[io] path must be a string, got bytes (not valid UTF-8)');
    await expect(io.read(undefined as unknown as string)).rejects.toThrow('[io] path must be a string, got undefined');
  });

  it('normalises ./, // and .. that stay inside', () => {
    expect(normalizePath('./a.txt')).toBe('a.txt');
    expect(normalizePath('sub//c.txt')).toBe('sub/c.txt');
    expect(normalizePath('sub/deeper/../c.txt')).toBe('sub/c.txt');
    expect(normalizePath('sub/./deeper/d.txt/')).toBe('sub/deeper/d.txt');
    expect(normalizePath('%2e%2e/x')).toBe('%2e%2e/x'); // a file name, not a parent: the fetch backend encodes the %
    expect(normalizePath('.', true)).toBe('');
  });

  it('the fs backend cannot reach a file next to its root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'io-sandbox-'));
    try {
      mkdirSync(join(dir, 'root'));
      writeFileSync(join(dir, 'root', 'ok.txt'), 'inside');
      writeFileSync(join(dir, 'secret.txt'), 'outside');
      const io = createIo({ backend: 'fs', root: join(dir, 'root') });
      expect(new TextDecoder().decode(await io.read('ok.txt'))).toBe('inside');
      await expect(io.read('../secret.txt')).rejects.toThrow('[io] path escapes the asset root: ../secret.txt');
      await expect(io.read(join(dir, 'secret.txt'))).rejects.toThrow('[io] absolute paths are not allowed');
      await expect(io.read(`file://${join(dir, 'secret.txt')}`)).rejects.toThrow('[io] URLs are not allowed');
      await expect(io.list('..')).rejects.toThrow('[io] path escapes the asset root: ..');
      // A file: URL works as the root itself.
      const viaUrl = createIo({ backend: 'fs', root: new URL(`file://${join(dir, 'root')}/`).href });
      expect(new TextDecoder().decode(await viaUrl.read('ok.txt'))).toBe('inside');
      // Symbolic links: inside the root they work; one that leads out of it is refused.
      symlinkSync(join(dir, 'root', 'ok.txt'), join(dir, 'root', 'alias.txt'));
      symlinkSync(join(dir, 'secret.txt'), join(dir, 'root', 'leak.txt'));
      symlinkSync(dir, join(dir, 'root', 'up'));
      expect(new TextDecoder().decode(await io.read('alias.txt'))).toBe('inside');
      await expect(io.read('leak.txt')).rejects.toThrow('[io] leak.txt: a symbolic link leads out of the asset root');
      await expect(io.read('up/secret.txt')).rejects.toThrow('a symbolic link leads out of the asset root');
      await expect(io.stat('leak.txt')).rejects.toThrow('a symbolic link leads out of the asset root');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('options', () => {
  it('bad options are clear errors', () => {
    expect(() => createIo(undefined as never)).toThrow("[io] options must be an object like { backend: 'fs', root: '/assets' }, got undefined");
    expect(() => createIo({ backend: 'ftp' as never })).toThrow(`[io] option backend must be 'fetch', 'fs' or 'memory', got "ftp"`);
    expect(() => createIo({ backend: 'fs' })).toThrow('[io] the fs backend needs option root');
    expect(() => createIo({ backend: 'fetch', root: 'relative/dir/' })).toThrow('[io] the fetch backend needs a root URL (absolute outside a browser), got "relative/dir/"');
    expect(() => createIo({ backend: 'fetch', root: 'ftp://x.example/' })).toThrow('[io] the fetch backend needs an http(s) root URL');
    expect(() => createIo({ backend: 'memory', latencyMs: -1 })).toThrow('[io] option latencyMs must be a non-negative number, got -1');
    expect(() => createIo({ backend: 'memory', bandwidth: 0 })).toThrow('[io] option bandwidth must be a positive number, got 0');
    expect(() => createIo({ backend: 'memory', files: { '../x': 'no' } })).toThrow('[io] path escapes the asset root: ../x');
  });

  it('memory files may be strings (UTF-8)', async () => {
    const io = createIo({ backend: 'memory', files: { 'dir/é.txt': 'héllo' } });
    expect(new TextDecoder().decode(await io.read('dir/é.txt', 1, 2))).toBe('é');
    expect(await io.list('dir')).toEqual(['é.txt']);
  });
});

describe('latency and bandwidth', () => {
  it('latencyMs is added before every answer, errors included', async () => {
    const io = createIo({ backend: 'memory', files, latencyMs: 100 });
    const [bytes, ms] = await timed(() => io.read('a.txt'));
    expect(bytes).toEqual(a);
    expect(ms).toBeGreaterThanOrEqual(100);
    const [, statMs] = await timed(() => io.stat('big.bin'));
    expect(statMs).toBeGreaterThanOrEqual(100);
    const [err, errMs] = await timed(() => io.read('nope').catch((e: Error) => e));
    expect(String(err)).toContain('[io] not found: nope');
    expect(errMs).toBeGreaterThanOrEqual(100);
  });

  it('bandwidth adds size / bandwidth seconds, on top of the latency', async () => {
    const io = createIo({ backend: 'fs', root: FIXTURES, bandwidth: 100_000 });
    const [bytes, ms] = await timed(() => io.read('big.bin', 0, 10_000)); // 10 kB at 100 kB/s: 100 ms
    expect(bytes.length).toBe(10_000);
    expect(ms).toBeGreaterThanOrEqual(100);
    const both = createIo({ backend: 'memory', files, latencyMs: 50, bandwidth: 50_000 });
    const [, ms2] = await timed(() => both.read('big.bin', 0, 5_000)); // 50 ms + 100 ms
    expect(ms2).toBeGreaterThanOrEqual(150);
  });
});


describe('configure', () => {
  it('changes latency and bandwidth at run time', async () => {
    const io = createIo({ backend: 'memory', files: { 'a.txt': new TextEncoder().encode('hello') }, latencyMs: 0 });
    expect(io.configure({ latencyMs: 120 })).toEqual({ latencyMs: 120, bandwidth: 0 });
    const t0 = performance.now();
    await io.read('a.txt');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(119);
    expect(io.configure({ latencyMs: 0, bandwidth: 1000 })).toEqual({ latencyMs: 0, bandwidth: 1000 });
    expect(io.stats()).toMatchObject({ latencyMs: 0, bandwidth: 1000 });
    expect(() => io.configure({ latencyMs: -1 })).toThrow(/latencyMs must be a non-negative number/);
  });
});
