/**
 * Which entities services can see, on the main thread: each entity's mask of
 * shared components (kept by bitecs observers), the list of entities with at
 * least one, and each index's generation, bumped when an entity leaves, so a
 * recycled index never answers to an old id.
 */
import { observe, onAdd, onRemove, query, type World } from '@ltask-web/engine';
import { maxGeneration } from '../../../wire/world/layout.ts';

export class SharedEntities {
  readonly mask: Uint32Array;
  /** Generation of each index (1 at first; 0 never names an entity). */
  gen: Uint32Array;
  readonly list: Int32Array;
  private readonly at: Int32Array;
  count = 0;
  /** One past the highest index ever seen (what a snapshot copies). */
  high = 0;
  private readonly maxGen: number;

  constructor(readonly capacity: number) {
    this.mask = new Uint32Array(capacity);
    this.gen = new Uint32Array(capacity).fill(1);
    this.list = new Int32Array(capacity);
    this.at = new Int32Array(capacity).fill(-1);
    this.maxGen = maxGeneration(capacity);
  }

  /** Follows the components' adds and removes in `world` (and counts the entities that have them now). */
  watch(world: World, stores: readonly object[]): void {
    stores.forEach((store, c) => {
      const bit = 1 << c;
      for (const eid of query(world, [store])) this.added(eid, bit);
      observe(world, onAdd(store), (eid: number) => this.added(eid, bit));
      observe(world, onRemove(store), (eid: number) => this.removed(eid, bit));
    });
  }

  /** Moves the generations into shared memory (the runtime is up): the App writes them there from now on. */
  share(into: Uint32Array): void {
    into.set(this.gen);
    this.gen = into;
  }

  seen(eid: number): void {
    if (eid >= this.high) this.high = eid + 1;
  }

  private added(eid: number, bit: number): void {
    if (eid >= this.capacity) return;
    this.seen(eid);
    const was = this.mask[eid]!;
    this.mask[eid] = was | bit;
    if (was === 0) {
      this.at[eid] = this.count;
      this.list[this.count++] = eid;
    }
  }

  private removed(eid: number, bit: number): void {
    if (eid >= this.capacity) return;
    const was = this.mask[eid]!;
    if ((was & bit) === 0) return;
    this.mask[eid] = was & ~bit;
    if (was !== bit) return;
    // Its last shared component: services no longer see it, and its id ends.
    const i = this.at[eid]!;
    const last = this.list[--this.count]!;
    this.list[i] = last;
    this.at[last] = i;
    this.at[eid] = -1;
    this.bump(eid);
  }

  /** Ends the ids of index `eid` (it was despawned). */
  bump(eid: number): void {
    const g = this.gen[eid]!;
    this.gen[eid] = g >= this.maxGen ? 1 : g + 1;
  }
}
