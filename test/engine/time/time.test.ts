import { describe, expect, it } from 'vitest';
import { App, FixedUpdate, Update } from '../../../engine/src/app/index.ts';
import { FixedTime, Time, TimePlugin } from '../../../engine/src/time/index.ts';

describe('TimePlugin', () => {
  it('advances delta and elapsed from update(dt)', () => {
    const app = new App().addPlugins(new TimePlugin());
    app.update(0.1);
    app.update(0.05);
    const time = app.resource(Time);
    expect(time.delta).toBeCloseTo(0.05);
    expect(time.elapsed).toBeCloseTo(0.15);
    expect(time.frame).toBe(2);
  });

  it('runs FixedUpdate floor(accumulated / step) times and carries the rest', () => {
    const app = new App().addPlugins(new TimePlugin({ fixedStep: 0.1 }));
    const perFrame: number[] = [];
    let steps = 0;
    app.addSystems(FixedUpdate, () => { steps++; });
    app.addSystems(Update, () => { perFrame.push(steps); steps = 0; });
    for (const dt of [0.05, 0.05, 0.25, 0.0, 0.12]) app.update(dt);
    // accumulated: .05, .10 -> 1 step, .25 -> 2 (.05 left), .05, .17 -> 1 (.07 left)
    expect(perFrame).toEqual([0, 1, 2, 0, 1]);
    const fixed = app.resource(FixedTime);
    expect(fixed.totalSteps).toBe(4);
    expect(fixed.elapsed).toBeCloseTo(0.4);
    expect(fixed.overstep).toBeCloseTo(0.07);
    expect(fixed.overstepFraction).toBeCloseTo(0.7);
  });

  it('gives the same simulation for 60 Hz and 30 Hz frames', () => {
    const simulate = (dt: number, frames: number) => {
      const app = new App().addPlugins(new TimePlugin({ fixedStep: 1 / 120 }));
      let x = 0;
      app.addSystems(FixedUpdate, ({ resource }) => { x += 2 * resource(FixedTime).delta; });
      for (let i = 0; i < frames; i++) app.update(dt);
      return x;
    };
    expect(simulate(1 / 60, 60)).toBeCloseTo(2, 5);
    expect(simulate(1 / 30, 30)).toBeCloseTo(2, 5);
  });

  it('clamps a long frame to maxDelta so the fixed loop cannot spiral', () => {
    const app = new App().addPlugins(new TimePlugin({ fixedStep: 0.01, maxDelta: 0.1 }));
    let steps = 0;
    app.addSystems(FixedUpdate, () => { steps++; });
    app.update(5);
    expect(app.resource(Time).delta).toBeCloseTo(0.1);
    expect(app.resource(Time).rawDelta).toBe(5);
    expect(steps).toBe(10);
  });

  it('measures the delta when update() gets none', async () => {
    const app = new App().addPlugins(new TimePlugin());
    app.update();
    await new Promise((r) => setTimeout(r, 30));
    app.update();
    expect(app.resource(Time).delta).toBeGreaterThan(0.02);
  });
});
