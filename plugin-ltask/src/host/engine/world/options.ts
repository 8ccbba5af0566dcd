/**
 * What an App shares with its services (`LtaskPlugin`'s `world` option), and
 * the schema both sides derive from it.
 */
import { MAX_ENTITIES, Transform, transform, type EntityId, type EventKey, type World } from '@ltask-web/engine';
import { checkSchema, fieldType, type Column, type WorldSchema } from '../../../wire/world/layout.ts';

/** A shared component: its store (an object of typed arrays indexed by entity), and how to add it. */
export interface SharedComponent {
  /** The component's store, as bitecs knows it: `{ px: Float32Array, ... }`. */
  readonly store: object;
  /**
   * Adds the component to an entity that lacks it, before services' values
   * are written (default: `addComponent`; `Transform`: an identity transform).
   */
  readonly insert?: (world: World, eid: EntityId) => void;
}

/** `LtaskPlugin`'s `world` option. */
export interface LtaskWorldOptions {
  /**
   * The components services may see and change, by the name services use:
   * a store (`{ Transform, Npc }`), or `{ store, insert }`. Fields must be
   * typed arrays of at least `MAX_ENTITIES` elements.
   */
  readonly components: Readonly<Record<string, object | SharedComponent>>;
  /** What `world.spawn(name)` builds: adds a renderable and anything else to the new entity. */
  readonly prefabs?: Readonly<Record<string, (world: World, eid: EntityId) => void>>;
  /** App events forwarded to the services that listen (`world.on(name, fn)`); add them with `app.addEvent`. */
  readonly eventsIn?: readonly EventKey<unknown>[];
  /** Events services may emit (`world.emit(name, value)`), sent as these App events in `PreUpdate`. */
  readonly eventsOut?: readonly EventKey<unknown>[];
  /** Entity ids reserved per frame for services' spawns (default 1024). */
  readonly reserve?: number;
  /** Command ring per worker, in 8-byte words (default 2^17: 1 MiB). A step may write half of it. */
  readonly ringWords?: number;
}

/** One shared component, resolved. */
export interface ResolvedComponent {
  readonly name: string;
  readonly store: object;
  readonly columns: Column[];
  readonly insert: ((world: World, eid: EntityId) => void) | null;
}

/** The world option resolved: components with their columns, and the schema for the runtime. */
export interface ResolvedWorld {
  readonly components: ResolvedComponent[];
  readonly prefabs: ((world: World, eid: EntityId) => void)[];
  readonly eventsIn: readonly EventKey<unknown>[];
  readonly eventsOut: readonly EventKey<unknown>[];
  readonly schema: Omit<WorldSchema, 'workers'>;
}

const isShared = (c: object): c is SharedComponent => 'store' in c && typeof (c as SharedComponent).store === 'object';

/** Checks the option and derives the schema (throws with the component and field at fault). */
export function resolveWorld(o: LtaskWorldOptions): ResolvedWorld {
  const components = Object.entries(o.components).map(([name, c]): ResolvedComponent => {
    const store = isShared(c) ? c.store : c;
    const entries = Object.entries(store);
    if (entries.length === 0) return { name, store, columns: [], insert: isShared(c) ? (c.insert ?? null) : null };
    const columns = entries.map(([f, a]) => {
      try {
        fieldType(a);
      } catch (e) {
        throw new Error(`[ltask] world.components.${name}.${f}: ${(e as Error).message}`, { cause: e });
      }
      if ((a as Column).length < MAX_ENTITIES) throw new Error(`[ltask] world.components.${name}.${f} has ${(a as Column).length} elements; shared fields need MAX_ENTITIES (${MAX_ENTITIES})`);
      return a as Column;
    });
    const insert = isShared(c) && c.insert ? c.insert : store === Transform ? transform() : null;
    return { name, store, columns, insert };
  });
  const prefabs = Object.entries(o.prefabs ?? {});
  const eventsIn = o.eventsIn ?? [];
  const eventsOut = o.eventsOut ?? [];
  const schema = {
    capacity: MAX_ENTITIES,
    components: components.map((c) => ({ name: c.name, fields: Object.entries(c.store).map(([f, a]) => ({ name: f, type: fieldType(a) })) })),
    prefabs: prefabs.map(([n]) => n),
    eventsIn: eventsIn.map((k) => k.name),
    eventsOut: eventsOut.map((k) => k.name),
    pool: o.reserve ?? 1024,
    ringWords: o.ringWords ?? 1 << 17,
  };
  checkSchema(schema);
  return {
    components,
    prefabs: prefabs.map(([, f]) => f),
    eventsIn,
    eventsOut,
    schema,
  };
}
