import { describe, expect, it } from 'vitest';
import { App, DefaultPlugins, MinimalPlugins, RenderContext, RenderPlugin, Time } from '../../engine/src/index.ts';

describe('DefaultPlugins', () => {
  it('adds the six core plugins and runs headless in Node', () => {
    const app = new App().addPlugins(DefaultPlugins.set(new RenderPlugin({ headless: true })).disable('InputPlugin'));
    expect(app.pluginNames()).toEqual(['TimePlugin', 'TransformPlugin', 'AssetPlugin', 'RenderPlugin', 'DiagnosticsPlugin']);
    app.update(0.02);
    expect(app.resource(RenderContext).headless).toBe(true);
    expect(app.resource(Time).elapsed).toBeCloseTo(0.02);
  });

  it('MinimalPlugins has no rendering', () => {
    const app = new App().addPlugins(MinimalPlugins);
    app.update(0.1);
    expect(app.getResource(RenderContext)).toBeUndefined();
    expect(app.resource(Time).elapsed).toBeCloseTo(0.1);
  });

  it('two apps with DefaultPlugins do not share resources', () => {
    const a = new App().addPlugins(MinimalPlugins);
    const b = new App().addPlugins(MinimalPlugins);
    a.update(1 / 30);
    expect(b.resource(Time)).not.toBe(a.resource(Time));
  });
});

describe('App.run', () => {
  it('runs frames without blocking and stops on exit()', async () => {
    const app = new App().addPlugins(MinimalPlugins);
    let frames = 0;
    let ticksBetween = 0;
    const interval = setInterval(() => ticksBetween++, 1);
    app.addSystems('Update', () => { if (++frames === 3) app.exit(); });
    await app.run();
    clearInterval(interval);
    expect(frames).toBe(3);
    expect(ticksBetween).toBeGreaterThan(0); // the event loop ran between frames
    expect(app.state).toBe('exited');
  });
});

describe('a runtime-style plugin', () => {
  it('installs itself through the public API: async ready, a resource, systems and an asset source', async () => {
    const { AssetPlugin, AssetServer, MemoryReader, registerAssetSource, defineResource, PreUpdate } = await import('../../engine/src/index.ts');
    const Runtime = defineResource<{ booted: boolean; ticks: number }>('Runtime');
    const runtimePlugin = {
      name: 'RuntimePlugin',
      build(app: App) {
        app.insertResource(Runtime, { booted: false, ticks: 0 });
        app.addSystems(PreUpdate, ({ resource }) => { resource(Runtime).ticks++; });
      },
      async ready(app: App) {
        await new Promise((r) => setTimeout(r, 5)); // e.g. start workers
        app.resource(Runtime).booted = true;
      },
      finish(app: App) {
        registerAssetSource(app, 'rt', { read: async (path) => new TextEncoder().encode(`served ${path}`) });
      },
    };
    const app = new App().addPlugins(MinimalPlugins, new AssetPlugin({ reader: new MemoryReader() }), runtimePlugin);
    await app.ready();
    expect(app.resource(Runtime).booted).toBe(true);
    const text = await app.resource(AssetServer).load('rt://notes/a.txt').loaded();
    expect(text).toBe('served notes/a.txt');
    app.update(1 / 60);
    expect(app.resource(Runtime).ticks).toBe(1);
  });
});
