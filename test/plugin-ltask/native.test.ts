import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from 'plugin-ltask';

const natives = {
  concat: new URL('../fixtures/native/concat.ts', import.meta.url).href,
  single: new URL('../fixtures/native/single.ts', import.meta.url).href,
};

let rt: Runtime | null = null;
const start = async (o: RuntimeOptions = {}) =>
  (rt = await startRuntime({ workers: 2, servicePath: 'test/fixtures/lua/?.lua', natives, onLog: () => {}, ...o }));
afterEach(async () => {
  if (rt) expect(rt.serialViolations).toBe(0);
  await rt?.stop();
  rt = null;
});

describe('native modules', () => {
  it('runs a library whose callbacks read through Lua', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'concat', { a: 'x', b: 'yy', c: 'zzz' })).toBe('xyyzzz');
  });

  it('completes 10,000 suspensions within one native call', async () => {
    const r = await start();
    const s = await r.spawn('native_user');
    expect(await r.call(s, 'count', 10_000)).toBe((10_000 * 10_001) / 2);
  }, 60_000);
});
