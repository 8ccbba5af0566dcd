// Typed calls through a real runtime: rt.remote<T>() over a TypeScript service
// declared with defineService and over a Lua service typed by an interface,
// and ctx.remote<T>() from a TypeScript service to both.
import { describe, expect, it } from 'vitest';
import { ServiceError } from '@ltask-web/plugin-ltask';
import { FIXTURES, runtimes } from '../../support/runtime.ts';
import type { Levels, Score } from '../../fixtures/ts/typed_score.ts';

const start = runtimes();
const withScore = () => start({ services: { ...FIXTURES.services, score: new URL('../../fixtures/ts/typed_score.ts', import.meta.url).href } });

describe('rt.remote', () => {
  it('calls a TypeScript service: each method resolves to the handler\'s result, async ones awaited', async () => {
    const r = await withScore();
    const score = r.remote<Score>(await r.spawn('score', 10));
    expect(await score.add(1)).toBe(11);
    expect(await score.add(2)).toBe(13);
    expect(await score.label()).toBe('score');
    const [a, b] = await Promise.all([score.add(1), score.add(1)]);
    expect([a, b].sort()).toEqual([14, 15]);
  });

  it('a handler that throws, or a method the service lacks, rejects with ServiceError', async () => {
    const r = await withScore();
    const addr = await r.spawn('score');
    const score = r.remote<Score>(addr);
    const err = await score.fail('out of range').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/out of range[\s\S]*\(service \d+ score\)/);
    const lying = r.remote<{ nope(): void }>(addr);
    await expect(lying.nope()).rejects.toThrow(ServiceError);
    await expect(lying.nope()).rejects.toThrow(/unknown request "nope"/);
    expect(await score.add(1)).toBe(1); // the service carries on
  });

  it('calls a Lua service typed by an interface: a table arrives as an object, nil as undefined', async () => {
    const r = await withScore();
    const levels = r.remote<Levels>(await r.spawn('levels'));
    expect(await levels.find('cave')).toEqual({ name: 'cave', size: 5 });
    expect(await levels.find('moon')).toBeUndefined();
    expect(await levels.count()).toBe(2);
    await expect(levels.fail('no level')).rejects.toThrow(ServiceError);
    // Several results: the proxy resolves to the first, as call does.
    const echo = r.remote<{ echo(a: string, b: number): string }>(await r.spawn('echo'));
    expect(await echo.echo('x', 2)).toBe('x');
  });

  it('a call to a dead service rejects as call does', async () => {
    const r = await withScore();
    const addr = await r.spawn('score');
    const score = r.remote<Score>(addr);
    await r.kill(addr);
    await expect(score.add(1)).rejects.toThrow(ServiceError);
  });
});

describe('ctx.remote', () => {
  it('a TypeScript service calls a Lua service and another TypeScript service through typed proxies, across workers', async () => {
    const r = await withScore();
    const caller = await r.spawnService({ name: 'score', worker_id: 0 });
    const other = await r.spawnService({ name: 'score', worker_id: 1, args: [100] });
    const levels = await r.spawnService({ name: 'levels', worker_id: 1 });
    const score = r.remote<Score>(caller);
    expect(await score.levelSize(levels, 'forest')).toBe(12);
    expect(await score.levelSize(levels, 'moon')).toBe(-1);
    expect(await score.addTo(other, 5)).toBe(105);
    expect(await r.remote<Score>(other).add(0)).toBe(105);
  });
});
