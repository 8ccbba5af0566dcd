// Run conditions and system sets (bevy `run_if`, `configure_sets`), in a headless App.
import { describe, expect, it } from 'vitest';
import { App, MinimalPlugins, PostUpdate, Time, Update, and, defineEvent, defineResource, not, onEvent, onTimer, or, resourceExists, type SystemContext } from '@ltask-web/engine';

const Flag = defineResource<{ on: boolean }>('Flag');
const Ping = defineEvent<number>('Ping');

function app(): App {
  return new App().addPlugins(MinimalPlugins).addEvent(Ping);
}

describe('run conditions', () => {
  it('runIf: a system runs only in frames where every condition holds', () => {
    const a = app();
    const ran: number[] = [];
    const on = ({ getResource }: SystemContext) => getResource(Flag)?.on === true;
    a.addSystems(Update, function guarded({ app: port }: SystemContext) {
      ran.push(port.frame);
    }, { runIf: [resourceExists(Flag), on] });
    a.update(1 / 60); // no Flag
    a.insertResource(Flag, { on: false });
    a.update(1 / 60);
    a.resource(Flag).on = true;
    a.update(1 / 60);
    a.update(1 / 60);
    expect(ran).toEqual([2, 3]);
  });

  it('onEvent: true in frames after events were sent, each condition with its own cursor; not, and, or', () => {
    const a = app();
    const got: string[] = [];
    a.addSystems(Update, () => void got.push('a'), { runIf: onEvent(Ping) });
    a.addSystems(Update, () => void got.push('b'), { runIf: onEvent(Ping) });
    a.addSystems(Update, () => void got.push('quiet'), { runIf: not(onEvent(Ping)) });
    a.addSystems(Update, () => void got.push('and'), { runIf: and(resourceExists(Time), onEvent(Ping)) });
    a.addSystems(Update, () => void got.push('or'), { runIf: or(resourceExists(Flag), onEvent(Ping)) });
    a.update(1 / 60);
    expect(got).toEqual(['quiet']);
    got.length = 0;
    a.addSystems(PostUpdate, function sendOnce({ send, app: port }: SystemContext) {
      if (port.frame === 1) send(Ping, 1);
    });
    a.update(1 / 60); // sent in PostUpdate, after Update ran
    a.update(1 / 60);
    a.update(1 / 60);
    expect(got).toEqual(['quiet', 'a', 'b', 'and', 'or', 'quiet']);
  });

  it('onTimer: once every period of game time; a paused game stands still; a long frame counts once', () => {
    const a = app();
    const at: number[] = [];
    a.addSystems(Update, ({ resource }: SystemContext) => void at.push(Math.round(resource(Time).elapsed * 10) / 10), { runIf: onTimer(0.5) });
    for (let i = 0; i < 12; i++) a.update(0.1);
    expect(at).toEqual([0.6, 1.1]);
    a.resource(Time).paused = true;
    for (let i = 0; i < 20; i++) a.update(0.1);
    expect(at).toEqual([0.6, 1.1]);
    a.resource(Time).paused = false;
    a.update(0.25); // 1.45
    a.update(0.25); // 1.7: passes 1.6 -> runs
    expect(at).toEqual([0.6, 1.1, 1.7]);
    expect(() => onTimer(0)).toThrow(/onTimer: seconds must be > 0/);
  });
});

describe('system sets', () => {
  it('configureSets orders whole sets across plugins and gates them with conditions checked once per run', () => {
    const a = app();
    const order: string[] = [];
    let checks = 0;
    // Added in the "wrong" order by two plugins; the sets put physics before ui.
    a.addSystems(Update, [function drawHud() { order.push('hud'); }, function drawMap() { order.push('map'); }], { inSet: 'ui' });
    a.addSystems(Update, function integrate() { order.push('physics'); }, { inSet: 'physics' });
    a.configureSets(Update, 'ui', { after: 'physics' });
    a.configureSets(Update, 'ui', {
      runIf: () => {
        checks++;
        return a.frame !== 1;
      },
    });
    a.update(1 / 60);
    expect(order).toEqual(['physics', 'hud', 'map']);
    expect(checks).toBe(1); // once for the set, not once per system
    order.length = 0;
    a.update(1 / 60);
    expect(order).toEqual(['physics']);
  });

  it('a cycle between sets is an error that names the systems and where the loop comes from', () => {
    const a = app();
    a.addSystems(Update, function first() {}, { inSet: 'a' });
    a.addSystems(Update, function second() {}, { inSet: 'b' });
    a.configureSets(Update, 'a', { after: 'b' });
    a.configureSets(Update, 'b', { after: 'a' });
    expect(() => a.update(1 / 60)).toThrow(/ordering cycle in schedule "Update" among systems: first, second \(their before\/after, or their sets' in app\.configureSets, loop\)/);
  });
});
