/** `ctx.world` of TypeScript services: names resolved once, then the shared operations. */
import { encode } from '../wire/codec/index.ts';
import type { Fields, ServiceWorld as World, WorldTime } from '../api/world.ts';
import { despawnEntity, emitEvent, hasComponent, listen, queryMask, readComponent, readField, removeComponent, unknown, unknownField, writeComponent } from './world-ops.ts';
import type { ServiceWorld, WorkerWorld } from './world.ts';

type TickFn = (dt: number, time: WorldTime) => void;

/** One service's `ctx.world`. */
export class WorldApi implements World {
  private readonly ticks: TickFn[] = [];
  private readonly listeners = new Map<string, ((value: unknown) => void)[]>();
  private readonly scratch: number[] = [];

  constructor(
    private readonly home: WorkerWorld,
    readonly state: ServiceWorld,
  ) {}

  private comp(name: string): { index: number; fields: Map<string, number> } {
    const c = this.home.names.components.get(name);
    if (!c) throw unknown('component', name, this.home.names.components.keys());
    return c;
  }

  spawn(prefab?: string | null, components?: Record<string, Partial<Fields> | undefined>): number {
    let p = -1;
    if (prefab != null) {
      p = this.home.names.prefabs.get(prefab) ?? -1;
      if (p < 0) throw unknown('prefab', prefab, this.home.names.prefabs.keys());
    }
    const id = this.home.reserve(this.state, p);
    for (const [name, values] of Object.entries(components ?? {})) this.set(id, name, values ?? {});
    return id;
  }

  despawn(id: number): void {
    despawnEntity(this.home, this.state, id);
  }

  alive(id: number): boolean {
    return hasComponent(this.home, id, -1);
  }

  has(id: number, c: string): boolean {
    return hasComponent(this.home, id, this.comp(c).index);
  }

  get(id: number, c: string): Fields | undefined {
    const comp = this.comp(c);
    if (!readComponent(this.home, id, comp.index, this.scratch)) return undefined;
    const out: Fields = {};
    let f = 0;
    for (const name of comp.fields.keys()) out[name] = this.scratch[f++]!;
    return out;
  }

  field(id: number, c: string, f: string): number | undefined {
    const comp = this.comp(c);
    const fi = comp.fields.get(f);
    if (fi === undefined) throw unknownField(c, f, comp.fields.keys());
    return readField(this.home, id, comp.index, fi);
  }

  set(id: number, c: string, values: Partial<Fields>): void {
    const comp = this.comp(c);
    let mask = 0;
    for (const [k, v] of Object.entries(values)) {
      const fi = comp.fields.get(k);
      if (fi === undefined) throw unknownField(c, k, comp.fields.keys());
      if (typeof v !== 'number') throw new Error(`[world] ${c}.${k} takes a number, got ${typeof v}`);
      mask |= 1 << fi;
    }
    const out = this.scratch;
    let n = 0;
    for (const [k, fi] of comp.fields) if (mask & (1 << fi)) out[n++] = values[k]!;
    writeComponent(this.home, this.state, id, comp.index, mask, out, n);
  }

  remove(id: number, c: string): void {
    removeComponent(this.home, this.state, id, this.comp(c).index);
  }

  query(...components: string[]): number[] {
    let mask = 0;
    for (const c of components) mask |= 1 << this.comp(c).index;
    return queryMask(this.home, mask);
  }

  emit(kind: string, value: unknown): void {
    const k = this.home.names.eventsOut.get(kind);
    if (k === undefined) throw unknown('event kind (services to App)', kind, this.home.names.eventsOut.keys());
    emitEvent(this.home, this.state, k, encode([value]));
  }

  on(kind: string, fn: (value: unknown) => void): void {
    const k = this.home.names.eventsIn.get(kind);
    if (k === undefined) throw unknown('event kind (App to services)', kind, this.home.names.eventsIn.keys());
    if (typeof fn !== 'function') throw new Error(`[world] on: expected a function, got ${typeof fn}`);
    const list = this.listeners.get(kind);
    if (list) return void list.push(fn);
    this.listeners.set(kind, [fn]);
    listen(this.home, this.state, k);
  }

  onTick(fn: TickFn): void {
    if (typeof fn !== 'function') throw new Error(`[world] onTick: expected a function, got ${typeof fn}`);
    this.ticks.push(fn);
    this.home.startTicks(this.state);
  }

  every(seconds: number, fn: TickFn): void {
    if (!(seconds > 0)) throw new Error(`[world] every: seconds must be > 0, got ${seconds}`);
    let acc = 0;
    this.onTick((dt, time) => {
      acc += dt;
      if (acc + 1e-9 < seconds) return;
      const d = acc;
      acc = 0;
      fn(d, time);
    });
  }

  time(): WorldTime | null {
    return this.home.clock();
  }

  /**
   * Runs the tick callbacks (a TICK message). A callback that throws drops
   * what the tick wrote (whole) and the error is thrown on.
   */
  tick(): void {
    const t = this.home.beginTick(this.state);
    if (!t) return;
    const mark = this.state.buffer.length;
    try {
      for (const fn of this.ticks) fn(t.dt, t.clock);
    } catch (e) {
      this.state.buffer.length = mark;
      throw e;
    }
  }

  /** An App event for this service's listeners. */
  event(kind: string, value: unknown): void {
    for (const fn of this.listeners.get(kind) ?? []) fn(value);
  }
}
