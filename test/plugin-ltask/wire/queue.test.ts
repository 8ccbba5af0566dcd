// wire/queue.ts: the Fifo behind every service queue and the scheduler's ready list.
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../plugin-ltask/src/wire/queue.ts';

/** The Fifo's private backing array (white box: compaction is only visible there). */
const backing = <T>(q: Fifo<T>): (T | undefined)[] => (q as unknown as { items: (T | undefined)[] }).items;

describe('Fifo (wire/queue.ts)', () => {
  it('is empty when new: length 0, shift() and drain() give nothing', () => {
    const q = new Fifo<number>();
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.drain()).toEqual([]);
    expect(q.length).toBe(0);
  });

  it('takes values out in the order they went in, and counts them', () => {
    const q = new Fifo<string>();
    for (const v of ['a', 'b', 'c']) q.push(v);
    expect(q.length).toBe(3);
    expect(q.shift()).toBe('a');
    expect(q.length).toBe(2);
    q.push('d');
    expect([q.shift(), q.shift(), q.shift()]).toEqual(['b', 'c', 'd']);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
    // Usable again after it ran empty.
    q.push('e');
    expect(q.length).toBe(1);
    expect(q.shift()).toBe('e');
  });

  it('keeps the order against a reference queue through a long random mix of push and shift', () => {
    const q = new Fifo<number>();
    const ref: number[] = [];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    let next = 0;
    for (let step = 0; step < 200_000; step++) {
      // Phases that grow the queue well past the compaction threshold, then shrink it.
      const pushBias = Math.floor(step / 20_000) % 2 === 0 ? 0.6 : 0.4;
      if (rand() < pushBias) {
        q.push(next);
        ref.push(next++);
      } else {
        const got = q.shift();
        const want = ref.shift();
        if (got !== want) throw new Error(`shift() gave ${got}, expected ${want} at step ${step}`);
      }
      if (q.length !== ref.length) throw new Error(`length ${q.length} != ${ref.length} at step ${step}`);
    }
    expect(q.drain()).toEqual(ref);
  });

  it('compacts its array after many shifts while it never runs empty (memory stays bounded)', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 2000; i++) q.push(i);
    // Steady state: one in, one out, 100,000 times. The queue always holds 2000,
    // so the "ran empty" reset never happens: only compaction keeps the array small.
    for (let i = 2000; i < 102_000; i++) {
      q.push(i);
      const got = q.shift();
      if (got !== i - 2000) throw new Error(`shift() gave ${got}, expected ${i - 2000}`);
    }
    expect(q.length).toBe(2000);
    // Compaction happens once head > 1024 and head > half the array: at most ~2x live + 1024.
    expect(backing(q).length).toBeLessThanOrEqual(2 * 2000 + 1026);
    const rest = q.drain();
    expect(rest).toHaveLength(2000);
    expect(rest[0]).toBe(100_000);
    expect(rest[1999]).toBe(101_999);
  });

  it('keeps the order exactly across the compaction point', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 3000; i++) q.push(i);
    // Shift one at a time past head = 1025 (compaction needs head > 1024 and head * 2 > 3000,
    // i.e. at head 1501): the value after each shift must still be the next one.
    for (let i = 0; i < 2000; i++) expect(q.shift()).toBe(i);
    expect(backing(q).length).toBeLessThan(3000); // it did compact
    expect(q.length).toBe(1000);
    for (let i = 3000; i < 3100; i++) q.push(i);
    const out: number[] = [];
    for (let v = q.shift(); v !== undefined; v = q.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 1100 }, (_, k) => 2000 + k));
  });

  it('starts over at the front whenever it runs empty (one in, one out never grows the array)', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 500; i++) {
      q.push(i);
      q.push(i + 0.5);
      expect(q.shift()).toBe(i);
      expect(q.shift()).toBe(i + 0.5);
      expect(backing(q).length).toBe(0);
    }
  });

  it('does not keep taken values alive (their slots are cleared)', () => {
    const q = new Fifo<object>();
    const objs = Array.from({ length: 10 }, (_, i) => ({ i }));
    for (const o of objs) q.push(o);
    q.shift();
    q.shift();
    expect(backing(q).filter((v) => v !== undefined)).toEqual(objs.slice(2));
  });

  it('drain() returns everything left, oldest first, and empties the queue', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 10; i++) q.push(i);
    q.shift();
    q.shift();
    const out = q.drain();
    expect(out).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.drain()).toEqual([]);
    // The drained array is the caller's: changing it does not touch the queue.
    out.push(99);
    q.push(100);
    expect(q.drain()).toEqual([100]);
  });

  it('drain() after a compaction still returns exactly the unread values', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 4000; i++) q.shift();
    expect(q.drain()).toEqual(Array.from({ length: 1000 }, (_, k) => 4000 + k));
    expect(q.length).toBe(0);
  });

  it('keeps falsy values (0, empty string, null, false) as values', () => {
    const q = new Fifo<unknown>();
    for (const v of [0, '', null, false]) q.push(v);
    expect(q.length).toBe(4);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([0, '', null, false]);
    expect(q.length).toBe(0);
  });
});
