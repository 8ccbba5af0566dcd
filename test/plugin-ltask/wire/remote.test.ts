// remote.ts: the typed proxy over a call function (comlink's Remote<T>), and
// the types a caller gets. The `@ts-expect-error` lines are checked by tsc
// (`npm test` runs it over the tests): each must be an error, or tsc fails.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineService, type Remote, type ServiceContext, type ServiceOf } from '@ltask-web/plugin-ltask/service';
import { remote, type RemoteCall } from '../../../plugin-ltask/src/wire/remote.ts';
import type { Levels, Score } from '../../fixtures/ts/typed_score.ts';

/** A call function that records what it is asked and answers `[name, ...args]`. */
function recorder() {
  const calls: unknown[][] = [];
  const call: RemoteCall = (name, ...args) => {
    calls.push([name, ...args]);
    return Promise.resolve([name, ...args]);
  };
  return { calls, call };
}

describe('remote()', () => {
  it('a method call is call(name, ...args), and resolves to what call resolves to', async () => {
    const { calls, call } = recorder();
    const r = remote<{ add(a: number, b: number): number[] }>(call);
    expect(await r.add(1, 2)).toEqual(['add', 1, 2]);
    expect(calls).toEqual([['add', 1, 2]]);
  });

  it('each name gives one function, kept: the same when read twice, callable unbound', async () => {
    const { calls, call } = recorder();
    const r = remote<{ add(n: number): unknown; sub(n: number): unknown }>(call);
    expect(r.add).toBe(r.add);
    expect(r.add).not.toBe(r.sub);
    const add = r.add;
    await add(3);
    expect(calls).toEqual([['add', 3]]);
  });

  it('a failure rejects with what call rejects with', async () => {
    const boom = new Error('boom');
    const r = remote<{ f(): void }>(() => Promise.reject(boom));
    await expect(r.f()).rejects.toBe(boom);
  });

  it('is not a thenable: awaiting it, or returning it from an async function, gives the proxy and sends nothing', async () => {
    const { calls, call } = recorder();
    const r = remote<{ add(n: number): number }>(call);
    expect((r as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await r).toBe(r);
    expect(await (async () => r)()).toBe(r);
    expect((r as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect((r as unknown as Record<symbol, unknown>)[Symbol.toPrimitive]).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('refuses to be written to', () => {
    const r = remote<{ add(n: number): number }>(recorder().call) as unknown as Record<string, unknown>;
    expect(() => {
      r.add = 1;
    }).toThrow(TypeError);
  });
});

describe('types', () => {
  const typeChecks = async (score: Remote<Score>, levels: Remote<Levels>) => {
    const n: number = await score.add(1);
    const label: string = await score.label(); // an async handler: the promise is not doubled
    const size: number = await score.levelSize(5, 'cave');
    // @ts-expect-error the argument is a number
    await score.add('1');
    // @ts-expect-error one argument
    await score.add();
    // @ts-expect-error no such handler
    await score.nope();
    // @ts-expect-error add resolves to a number
    const wrong: string = await score.add(1);
    // @ts-expect-error every method returns a promise
    const notAwaited: number = score.add(1);
    const level = await levels.find('cave');
    // @ts-expect-error a Lua nil arrives as undefined: the interface says so
    const sure: number = level.size;
    // @ts-expect-error the proxy has no `then`: awaiting it is not a call
    void score.then;
    return [n, label, size, wrong, notAwaited, sure, level?.name];
  };

  it('methods take the handler\'s arguments and resolve to its awaited result', () => {
    expect(typeof typeChecks).toBe('function'); // checked by tsc, not run
    expectTypeOf<Remote<Score>['add']>().toEqualTypeOf<(n: number) => Promise<number>>();
    expectTypeOf<Remote<Score>['label']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<Remote<Levels>['find']>().toEqualTypeOf<(name: string) => Promise<Levels['find'] extends (n: string) => infer R ? R : never>>();
    // Only methods: a value field is not callable and is left out; so is `then`.
    expectTypeOf<keyof Remote<{ a: number; f(): void; then(): void }>>().toEqualTypeOf<'f'>();
  });

  it('defineService returns its factory as it is, with ctx typed and the handlers kept', () => {
    const factory = (ctx: ServiceContext) => ({ hi: (name: string) => `hi ${name} from ${ctx.label}` });
    expect(defineService(factory)).toBe(factory);
    const async = defineService(async (ctx, start: number) => {
      expectTypeOf(ctx).toEqualTypeOf<ServiceContext>();
      await ctx.sleep(0);
      return start > 0 ? { get: () => start } : undefined;
    });
    expectTypeOf<ServiceOf<typeof async>>().toEqualTypeOf<{ get: () => number }>();
    // @ts-expect-error handlers are functions only
    defineService(() => ({ count: 0 }));
    // @ts-expect-error the context is the first argument
    defineService((n: number) => ({ n: () => n }));
  });
});

describe('the ./service entry', () => {
  const src = resolve(import.meta.dirname, '../../../plugin-ltask/src');
  /** Every module the entry reaches, following relative imports (type-only ones too). */
  const reached = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.[^'"]+)['"]/g)) reached(resolve(dirname(file), m[1]!), seen);
    return seen;
  };

  it('gives defineService and ServiceError as its values, and reaches only api/ and wire/ (a service is bundled into a worker)', async () => {
    const entry = await import('@ltask-web/plugin-ltask/service');
    expect(Object.keys(entry).sort()).toEqual(['ServiceError', 'defineService']);
    const folders = [...reached(join(src, 'entries/service.ts'))].map((f) => relative(src, f).split(sep)[0]);
    expect(new Set(folders)).toEqual(new Set(['entries', 'api', 'wire']));
  });
});
