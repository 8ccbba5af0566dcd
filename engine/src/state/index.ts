/**
 * State door (bevy `States`): a state type registered on the App, its current
 * value as a resource, a way to ask for the next one, `OnEnter` / `OnExit` /
 * `OnTransition` schedules run at one point of the frame (`StateTransition`,
 * right after `PreUpdate`), the `inState` run condition, and entities that
 * leave with a state (`stateScoped`).
 * @example
 * ```ts
 * const Game = defineState('Game', 'title', ['title', 'playing', 'won']);
 * app.addPlugins(new StatePlugin(Game))
 *   .addSystems(OnEnter(Game, 'playing'), spawnLevel)
 *   .addSystems(Update, movePlayer, { runIf: inState(Game, 'playing') });
 * // in a system: resource(Game).set('won');
 * ```
 * @module
 */
import { PreUpdate, defineEvent, type App, type Condition, type Plugin, type ResourceToken, type ScheduleLabel } from '../app/index.ts';
import { addComponent, query, type BundleFn, type EntityId } from '../ecs/index.ts';
import { despawnRecursive } from '../transform/index.ts';

/** The schedule where state changes happen each frame, right after `PreUpdate`. */
export const StateTransition: ScheduleLabel = 'StateTransition';

/** A state was entered: which state type, from which value (null: its first, in the first frame) to which. */
export interface StateChange {
  readonly state: string;
  readonly from: string | null;
  readonly to: string;
}

/**
 * Sent at every transition of every state type (and for the initial value in
 * the first frame); forward it to services with LtaskPlugin's
 * `world.eventsIn` and they can follow the game's states.
 */
export const StateChanged = defineEvent<StateChange>('StateChanged');

/** A state type: a resource token for its {@link States}, its values and its initial value. */
export interface StateKey<S extends string> extends ResourceToken<States<S>> {
  readonly initial: S;
  readonly values: readonly S[];
}

/**
 * Defines a state type: its name, initial value and every value it may take.
 * @example const Game = defineState('Game', 'title', ['title', 'playing', 'won']);
 */
export function defineState<S extends string>(name: string, initial: NoInfer<S>, values: readonly S[]): StateKey<S> {
  if (!values.includes(initial)) throw new Error(`[state] ${name}: the initial value "${initial}" is not one of ${values.join(', ')}`);
  return Object.freeze({ name, kind: 'resource' as const, initial, values: [...values] });
}

/** A state's current value (the resource under its key), and the change asked for. */
export class States<S extends string> {
  /** The value now. */
  current: S;
  /** The value before the last change (null: none yet). */
  previous: S | null = null;
  private pending: S | null = null;

  constructor(
    private readonly key: StateKey<S>,
    initial: S,
  ) {
    this.current = initial;
  }

  /** Asks for `next`: the change happens in this frame's `StateTransition` (or the next frame's, if that has run). */
  set(next: S): void {
    if (!this.key.values.includes(next)) throw new Error(`[state] ${this.key.name}: "${next}" is not one of ${this.key.values.join(', ')}`);
    this.pending = next;
  }

  /** The change asked for and not made yet (null: none). */
  get next(): S | null {
    return this.pending;
  }

  /** Takes the change asked for. */
  take(): S | null {
    const n = this.pending;
    this.pending = null;
    return n;
  }
}

/** The schedule run when `key` enters `value`. */
export function OnEnter<S extends string>(key: StateKey<S>, value: S): ScheduleLabel {
  return `OnEnter(${key.name}.${value})`;
}

/** The schedule run when `key` leaves `value`. */
export function OnExit<S extends string>(key: StateKey<S>, value: S): ScheduleLabel {
  return `OnExit(${key.name}.${value})`;
}

/** The schedule run when `key` goes from `from` to `to` (between `OnExit` and `OnEnter`). */
export function OnTransition<S extends string>(key: StateKey<S>, from: S, to: S): ScheduleLabel {
  return `OnTransition(${key.name}.${from}->${to})`;
}

/** A run condition: true while `key` is `value`. */
export function inState<S extends string>(key: StateKey<S>, value: S): Condition {
  return ({ getResource }) => getResource(key)?.current === value;
}

/** Entities despawned (with their children) when their state is left: which state and value. */
export const StateScoped = { scope: [] as Array<{ state: string; value: string } | undefined> };

/**
 * A bundle: the entity is despawned, with its children, when `key` leaves
 * `value` (bevy `StateScoped` / `DespawnOnExit`).
 * @example spawn(world, mesh(box, mat), transform(), stateScoped(Game, 'playing'))
 */
export function stateScoped<S extends string>(key: StateKey<S>, value: S): BundleFn {
  return (world, eid: EntityId) => {
    addComponent(world, eid, StateScoped);
    StateScoped.scope[eid] = { state: key.name, value };
  };
}

/**
 * Registers a state type (bevy `app.init_state`): inserts its `States`
 * resource, runs `OnEnter(initial)` in the first frame's `StateTransition`,
 * and then, in every frame's `StateTransition`, makes the change asked for
 * with `set()`: `OnExit(old)`, despawns the entities scoped to `old`,
 * `OnTransition(old, new)`, `OnEnter(new)`. Asking for the value it has
 * already does nothing.
 */
export class StatePlugin<S extends string> implements Plugin {
  readonly name: string;

  constructor(
    private readonly key: StateKey<S>,
    private readonly initial: S = key.initial,
  ) {
    this.name = `StatePlugin(${key.name})`;
  }

  build(app: App): void {
    const key = this.key;
    const states = new States(key, this.initial);
    app.insertResource(key, states);
    app.addEvent(StateChanged); // once for every state type
    if (!app.mainSchedules().includes(StateTransition)) app.insertSchedule(StateTransition, { after: PreUpdate });
    let entered = false;
    app.addSystems(StateTransition, function applyStateTransition({ send }) {
      if (!entered) {
        entered = true;
        send(StateChanged, { state: key.name, from: null, to: states.current });
        app.runSchedule(OnEnter(key, states.current));
      }
      const next = states.take();
      if (next === null || next === states.current) return;
      const old = states.current;
      app.runSchedule(OnExit(key, old));
      for (const eid of query(app.world, [StateScoped])) {
        const s = StateScoped.scope[eid];
        if (s?.state === key.name && s.value === old) despawnRecursive(app.world, eid);
      }
      app.commands.apply();
      states.previous = old;
      states.current = next;
      send(StateChanged, { state: key.name, from: old, to: next });
      app.runSchedule(OnTransition(key, old, next));
      app.runSchedule(OnEnter(key, next));
    }, { inSet: `state:${key.name}` });
  }
}
