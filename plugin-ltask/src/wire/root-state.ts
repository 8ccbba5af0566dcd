/**
 * What root must not lose when its worker dies: the registry (labels, names,
 * the anonymous services of ltask's exit rule, the per-worker instances of
 * local services, restart policies). Root keeps it in journaled maps: every
 * change is also sent to the host (one postMessage per root turn), which
 * keeps a copy and gives it to the root that replaces a dead one.
 */

/** One change: [map, key, value], or [map, key] for a delete. */
export type RootOp = [string, unknown, unknown?];

/** Every map as its entries: what a new root starts from. */
export type RootSnapshot = Record<string, [unknown, unknown][]>;

/** A Map whose changes are journaled under `name`. */
export class JournaledMap<K, V> extends Map<K, V> {
  constructor(
    private readonly name: string,
    private readonly journal: (op: RootOp) => void,
    entries?: [K, V][],
  ) {
    super(entries);
  }

  override set(k: K, v: V): this {
    super.set(k, v);
    // Map's constructor calls set before `journal` exists: nothing to send then.
    this.journal?.([this.name, k, v]);
    return this;
  }

  override delete(k: K): boolean {
    const had = super.delete(k);
    if (had) this.journal([this.name, k]);
    return had;
  }
}

/** The host's copy of root's registry. */
export class RootMemory {
  private readonly maps = new Map<string, Map<unknown, unknown>>();

  apply(ops: RootOp[]): void {
    for (const [name, k, v] of ops) {
      let m = this.maps.get(name);
      if (!m) this.maps.set(name, (m = new Map()));
      if (v === undefined) m.delete(k);
      else m.set(k, v);
    }
  }

  snapshot(): RootSnapshot {
    const out: RootSnapshot = {};
    for (const [name, m] of this.maps) out[name] = [...m];
    return out;
  }
}
