import { describe, expect, it, vi } from 'vitest';
import { App, PluginGroup, Startup, Update } from '../../../engine/src/app/index.ts';
import type { Plugin } from '../../../engine/src/app/index.ts';

function recorder(log: string[], name: string, extra: Partial<Plugin> = {}): Plugin {
  return {
    name,
    build: vi.fn(() => log.push(`${name}.build`)),
    ready: vi.fn(() => { log.push(`${name}.ready`); }),
    finish: vi.fn(() => log.push(`${name}.finish`)),
    cleanup: vi.fn(() => log.push(`${name}.cleanup`)),
    ...extra,
  };
}

describe('App plugins', () => {
  it('builds on add, then readies, finishes and cleans up every plugin in order before the first frame', () => {
    const log: string[] = [];
    const a = recorder(log, 'A');
    const b = recorder(log, 'B');
    const app = new App().addPlugins(a, b);
    expect(log).toEqual(['A.build', 'B.build']);
    app.addSystems(Startup, () => log.push('startup')).addSystems(Update, () => log.push('update'));
    app.update(0);
    app.update(0);
    expect(log).toEqual([
      'A.build', 'B.build', 'A.ready', 'B.ready', 'A.finish', 'B.finish', 'A.cleanup', 'B.cleanup',
      'startup', 'update', 'update',
    ]);
    expect(a.finish).toHaveBeenCalledTimes(1);
    expect(b.cleanup).toHaveBeenCalledWith(app);
  });

  it('waits for an async ready before finish, and refuses update() until then', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = recorder(log, 'Slow', { ready: vi.fn(async () => { await gate; log.push('Slow.ready'); }) });
    const fast = recorder(log, 'Fast');
    const app = new App().addPlugins(slow, fast);
    expect(() => app.update(0)).toThrow(/"Slow" have async ready\(\); await app\.ready\(\)/);
    const ready = app.ready();
    await Promise.resolve();
    expect(log).not.toContain('Slow.finish');
    release();
    await ready;
    expect(log.slice(2)).toEqual(['Fast.ready', 'Slow.ready', 'Slow.finish', 'Fast.finish', 'Slow.cleanup', 'Fast.cleanup']);
    expect(slow.ready).toHaveBeenCalledTimes(1);
    expect(app.state).toBe('running');
    expect(() => app.update(0)).not.toThrow();
  });

  it('a ready() that starts background work without returning it does not hold frames back', async () => {
    // The pattern LtaskPlugin uses: the resource is there from build, with a status;
    // ready() kicks off the slow start and returns; systems see "starting" meanwhile.
    class Backend {
      status: 'starting' | 'ready' = 'starting';
    }
    let finishStart!: () => void;
    const seen: string[] = [];
    const app = new App()
      .addPlugins({
        name: 'Background',
        build(a) { a.insertResource(new Backend()); },
        ready(a) {
          void new Promise<void>((r) => (finishStart = r)).then(() => (a.resource(Backend).status = 'ready'));
        },
      })
      .addSystems(Update, ({ resource }) => void seen.push(resource(Backend).status));
    app.update(0); // no await app.ready() needed
    app.update(0);
    finishStart();
    await Promise.resolve();
    app.update(0);
    expect(seen).toEqual(['starting', 'starting', 'ready']);
    expect(app.state).toBe('running');
  });

  it('polls a ready() that returns false', async () => {
    let calls = 0;
    const app = new App().addPlugins({ name: 'Poll', build() {}, ready: () => ++calls >= 3 });
    await app.ready();
    expect(calls).toBe(3);
  });

  it('accepts a plain function as a plugin, named after the function', () => {
    const app = new App();
    function audioPlugin(a: App) { a.insertResource(new Map()); }
    app.addPlugins(audioPlugin);
    expect(app.pluginNames()).toEqual(['audioPlugin']);
    expect(app.getResource(Map)).toBeInstanceOf(Map);
  });

  it('rejects a duplicate plugin with a clear error', () => {
    const app = new App().addPlugins({ name: 'Dup', build() {} });
    expect(() => app.addPlugins({ name: 'Dup', build() {} })).toThrow('[app] plugin "Dup" was already added');
  });

  it('allows repeats of a plugin that says it is not unique', () => {
    const build = vi.fn();
    const app = new App().addPlugins({ name: 'Many', unique: false, build }, { name: 'Many', unique: false, build });
    expect(build).toHaveBeenCalledTimes(2);
    expect(app.pluginNames()).toEqual(['Many', 'Many']);
  });

  it('refuses new plugins once the app is running', () => {
    const app = new App();
    app.update(0);
    expect(() => app.addPlugins({ name: 'Late', build() {} })).toThrow(/plugins are final/);
  });
});

describe('PluginGroup', () => {
  const log: string[] = [];
  const group = PluginGroup.of('Group', recorder(log, 'X'), recorder(log, 'Y'), recorder(log, 'Z'));

  it('replaces a member with set() and leaves one out with disable()', () => {
    log.length = 0;
    const y2 = recorder(log, 'Y', { build: vi.fn(() => log.push('Y2.build')) });
    const app = new App().addPlugins(group.set(y2).disable('Z'));
    expect(app.pluginNames()).toEqual(['X', 'Y']);
    expect(log).toEqual(['X.build', 'Y2.build']);
    expect(group.plugins()).toHaveLength(3); // the original group is unchanged
  });

  it('names the missing member when set() or disable() gets an unknown plugin', () => {
    expect(() => group.set({ name: 'Nope', build() {} })).toThrow('[app] plugin group "Group" has no plugin "Nope" to set');
    expect(() => group.disable('Nope')).toThrow(/no plugin "Nope"/);
  });
});
