import { describe, expect, it } from 'vitest';
import { App, PostUpdate, Update } from '../../../engine/src/app/index.ts';
import { entityExists, hasComponent, query } from '../../../engine/src/ecs/index.ts';

const Enemy = { hp: new Float32Array(64) };
const Dead = {};

describe('Commands', () => {
  it('spawns at the end of the schedule, not in the middle of it', () => {
    const app = new App();
    const seenInUpdate: number[] = [];
    const seenInPost: number[] = [];
    let spawned = -1;
    app.addSystems(Update, [
      ({ commands }) => {
        if (app.frame === 0) spawned = commands.spawn(Enemy, (_w, eid) => { Enemy.hp[eid] = 5; });
      },
      ({ world }) => { seenInUpdate.push(query(world, [Enemy]).length); },
    ], { chain: true });
    app.addSystems(PostUpdate, ({ world }) => { seenInPost.push(query(world, [Enemy]).length); });
    app.update(0);
    expect(seenInUpdate).toEqual([0]);
    expect(seenInPost).toEqual([1]);
    expect(Enemy.hp[spawned]).toBe(5);
  });

  it('despawns, inserts and removes at the end of the schedule', () => {
    const app = new App();
    app.addSystems(Update, ({ world, commands }) => {
      for (const eid of query(world, [Enemy])) {
        if (Enemy.hp[eid]! <= 0) commands.despawn(eid);
        else commands.insert(eid, Dead).remove(eid, Enemy);
      }
    });
    const a = app.commands.spawn(Enemy, (_w, e) => { Enemy.hp[e] = 0; });
    const b = app.commands.spawn(Enemy, (_w, e) => { Enemy.hp[e] = 2; });
    app.commands.apply();
    app.update(0);
    expect(entityExists(app.world, a)).toBe(false);
    expect(hasComponent(app.world, b, Dead)).toBe(true);
    expect(hasComponent(app.world, b, Enemy)).toBe(false);
  });

  it('ignores commands on an entity despawned earlier in the queue', () => {
    const app = new App();
    const eid = app.commands.spawn(Enemy);
    app.commands.despawn(eid).insert(eid, Dead);
    expect(() => app.commands.apply()).not.toThrow();
    expect(entityExists(app.world, eid)).toBe(false);
  });
});
