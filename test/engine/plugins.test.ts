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
