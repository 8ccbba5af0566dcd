import { describe, expect, it } from 'vitest';
import {
  App, First, FixedUpdate, Last, PostUpdate, PreUpdate, Render, Startup, Update,
} from '../../../engine/src/app/index.ts';
import type { SystemContext } from '../../../engine/src/app/index.ts';

describe('Schedule', () => {
  it('runs Startup once, then First..Last in order every frame', () => {
    const app = new App();
    const log: string[] = [];
    for (const label of [Last, Render, PostUpdate, Update, FixedUpdate, PreUpdate, First, Startup]) {
      app.addSystems(label, () => log.push(label));
    }
    app.update(0);
    app.update(0);
    const frame = ['First', 'PreUpdate', 'FixedUpdate', 'Update', 'PostUpdate', 'Render', 'Last'];
    expect(log).toEqual(['Startup', ...frame, ...frame]);
    expect(app.frame).toBe(2);
  });

  it('keeps insertion order unless told otherwise, and honours before/after/chain', () => {
    const app = new App();
    const log: string[] = [];
    const a = () => log.push('a');
    const b = () => log.push('b');
    const c = () => log.push('c');
    const d = () => log.push('d');
    const e = () => log.push('e');
    app.addSystems(Update, [c, b, a], { chain: false });
    app.addSystems(Update, d, { before: c });
    app.addSystems(Update, e, { after: [a, 'physics'] });
    app.addSystems(Update, function physics() { log.push('physics'); }, { inSet: 'physics', after: b });
    app.update(0);
    // Constraints first; among systems free to run, the earliest added goes first.
    expect(log).toEqual(['b', 'a', 'd', 'c', 'physics', 'e']);
    log.length = 0;
    const app2 = new App().addSystems(Update, [c, b, a], { chain: true });
    app2.addSystems(Update, d, { before: a, after: b });
    app2.update(0);
    expect(log).toEqual(['c', 'b', 'd', 'a']);
  });

  it('names the systems of an ordering cycle', () => {
    const app = new App();
    function ping() {}
    function pong() {}
    app.addSystems(Update, ping, { after: pong }).addSystems(Update, pong, { after: ping });
    expect(() => app.update(0)).toThrow(/ordering cycle in schedule "Update" among systems: ping, pong/);
  });

  it('lets a plugin insert its own per-frame schedule', () => {
    const app = new App().insertSchedule('Network', { after: PreUpdate });
    const log: string[] = [];
    app.addSystems(Update, () => log.push('update')).addSystems('Network', () => log.push('net'));
    app.addSystems(PreUpdate, () => log.push('pre'));
    app.update(0);
    expect(log).toEqual(['pre', 'net', 'update']);
  });

  it('prefixes errors with the failing system and schedule', () => {
    const app = new App().addSystems(Update, function explode(_: SystemContext) { throw new Error('boom'); });
    expect(() => app.update(0)).toThrow('[app] system "explode" in "Update": boom');
  });
});

describe('App resources', () => {
  class Score { points = 0; }
  it('stores resources by class and finds them from systems', () => {
    const app = new App().initResource(Score);
    app.addSystems(Update, ({ resource }) => { resource(Score).points += 1; });
    app.update(0);
    app.update(0);
    expect(app.resource(Score).points).toBe(2);
    expect(() => app.resource(Date)).toThrow('[app] no resource "Date"');
    expect(app.getResource(Date)).toBeUndefined();
  });

  it('refuses a plain object without a key', () => {
    expect(() => new App().insertResource({ a: 1 })).toThrow(/needs a class instance/);
  });
});
