/**
 * Checks shared by the supervision tests (Node and the browser suite), over
 * the fixtures: echo.lua, and the TypeScript service adder.
 */
import { expect } from 'vitest';
import type { Runtime } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';

/**
 * Worker 1 was replaced once and serves again, both ways across workers:
 * `lua` (an echo) and `ts` (an adder) live on worker 0.
 */
export async function expectWorkerOneServes(r: Runtime, lua: number, ts: number): Promise<void> {
  expect(runtimeInternals(r).replacedWorkers).toBe(1);
  const fresh = await r.spawnService({ name: 'echo', worker_id: 1 });
  expect(await r.call(fresh, 'echo', 'new')).toBe('new');
  expect((await r.callMulti(lua, 'catch', fresh, 'echo', 'x'))[0]).toBe('no error');
  expect(await r.call(ts, 'relay', fresh, 'echo', 'y')).toBe('y');
  const back = await r.spawnService({ name: 'adder', worker_id: 1 });
  expect(await r.call(back, 'relay', lua, 'echo', 'z')).toBe('z');
}
