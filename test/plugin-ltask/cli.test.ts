// The headless runner, as users run it: a child process.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ltask = (...args: string[]) =>
  spawnSync(process.execPath, ['plugin-ltask/bin/ltask.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('npx ltask', () => {
  it('runs examples/ping.lua on two workers, prints its result and exits 0', () => {
    const r = ltask('examples/ping.lua', '--workers', '2');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ping: 10 rounds, sum 110, pong on worker [01], ping on worker [01]\n$/);
    expect(r.status).toBe(0);
  });

  it('exits non-zero and shows the error and traceback when main fails', () => {
    const r = ltask('examples/fail.lua');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/fail failed to start/);
    expect(r.stderr).toMatch(/fail\.lua:3: level intro is missing/);
    expect(r.stderr).toMatch(/stack traceback:[\s\S]*in local 'load_level'/);
  });

  it('finds modules on --path and rejects bad options', () => {
    const ok = ltask('test/fixtures/lua/uses_module.lua', '--path', 'test/fixtures/lua/?.lua', '--workers', '1');
    expect(ok.stdout).toBe('module value 42\n');
    expect(ok.status).toBe(0);
    const bad = ltask('examples/ping.lua', '--workers', 'zero');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be an integer >= 1/);
  });
});

describe('npx ltask with native modules and io', () => {
  it('--native, --io-root and --io-latency: the loader waits on io while its service keeps answering', () => {
    const r = ltask('examples/loader.lua', '--native', 'test/fixtures/native/concat.ts', '--io-root', 'test/fixtures/io', '--io-latency', '100', '--workers', '2');
    expect(r.stderr).toBe('');
    const m = /^loaded 20 bytes in (\d+) ms; answered (\d+) pings meanwhile\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(200);
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  });

  it('a --native file that is not a native module is refused', () => {
    const r = ltask('examples/ping.lua', '--native', 'test/fixtures/ts/adder.ts');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--native test\/fixtures\/ts\/adder\.ts: its default export is not a native module/);
  });
});
