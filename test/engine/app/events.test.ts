import { describe, expect, it } from 'vitest';
import { App, defineEvent, EventCursor, Events, PreUpdate, Update } from '../../../engine/src/app/index.ts';

const Hit = defineEvent<{ damage: number }>('Hit');

describe('Events', () => {
  it('lets a reader see an event in the frame it was sent and the next, once', () => {
    const events = new Events<number>();
    const cursor = new EventCursor<number>();
    events.send(1);
    expect(cursor.read(events)).toEqual([1]);
    events.update();
    events.send(2);
    expect(cursor.read(events)).toEqual([2]);
    expect(cursor.read(events)).toEqual([]);
  });

  it('drops events after two buffer swaps', () => {
    const events = new Events<number>();
    const late = new EventCursor<number>();
    events.send(1);
    events.update();
    events.send(2);
    expect(late.pending(events)).toBe(2);
    events.update();
    expect(late.read(events)).toEqual([2]);
    events.update();
    expect(events.length).toBe(0);
  });
});

describe('App events', () => {
  it('delivers an event sent late in a frame to a reader that ran earlier, in the next frame', () => {
    const app = new App().addEvent(Hit);
    const seen: Array<{ frame: number; damage: number }> = [];
    let frame = 0;
    app.addSystems(PreUpdate, ({ read }) => {
      for (const e of read(Hit)) seen.push({ frame, damage: e.damage });
    });
    app.addSystems(Update, ({ send }) => {
      if (frame === 0) send(Hit, { damage: 3 });
    });
    app.update(0); frame++;
    app.update(0); frame++;
    app.update(0);
    expect(seen).toEqual([{ frame: 1, damage: 3 }]);
  });

  it('gives each system its own cursor', () => {
    const app = new App().addEvent(Hit);
    const a: number[] = [];
    const b: number[] = [];
    app.addSystems(Update, [
      ({ send }) => send(Hit, { damage: 1 }),
      ({ read }) => { for (const e of read(Hit)) a.push(e.damage); },
      ({ read }) => { for (const e of read(Hit)) b.push(e.damage); },
    ]);
    app.update(0);
    app.update(0);
    expect(a).toEqual([1, 1]);
    expect(b).toEqual([1, 1]);
  });

  it('loses an event nobody read for two frames', () => {
    const app = new App().addEvent(Hit);
    app.sendEvent(Hit, { damage: 9 });
    app.update(0);
    app.update(0);
    const got: number[] = [];
    app.addSystems(Update, ({ read }) => { for (const e of read(Hit)) got.push(e.damage); });
    app.update(0);
    expect(got).toEqual([]);
  });

  it('says which event was not added', () => {
    expect(() => new App().sendEvent(Hit, { damage: 1 })).toThrow('[app] event "Hit" was not added');
  });
});
