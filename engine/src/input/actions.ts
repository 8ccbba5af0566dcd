/**
 * Input actions: named actions bound to keys, mouse buttons, touch and
 * gamepad buttons and sticks, read as `pressed` / `justPressed` / `value` /
 * `axis`, and bound again at run time. Updated once per frame in `PreUpdate`,
 * after the devices (`InputPlugin`).
 * @example
 * ```ts
 * const Controls = defineActions('Controls', {
 *   jump: [key('Space'), padButton(0), touch()],
 *   move: axis2d({ left: [key('KeyA')], right: [key('KeyD')], up: [key('KeyW')], down: [key('KeyS')], stick: padStick(0) }),
 * });
 * app.addPlugins(new ActionsPlugin(Controls));
 * // in a system: const c = resource(Controls); if (c.justPressed('jump')) jump(); const { x, y } = c.axis('move');
 * ```
 */
import { PreUpdate, type App, type Plugin, type ResourceToken } from '../app/index.ts';
import { Keyboard, Mouse, Touches } from './devices.ts';
import { Gamepads, PRESSED } from './gamepad.ts';

/** One input an action listens to. */
export type Binding =
  | { readonly kind: 'key'; readonly code: string }
  | { readonly kind: 'mouse'; readonly button: number }
  | { readonly kind: 'pad'; readonly button: number }
  | { readonly kind: 'stick'; readonly axis: number; readonly sign: 1 | -1 }
  | { readonly kind: 'touch' };

/** A key by `KeyboardEvent.code` ('Space', 'KeyW', 'ArrowLeft'). */
export const key = (code: string): Binding => ({ kind: 'key', code });
/** A mouse button (0 left, 1 middle, 2 right). */
export const mouseButton = (button: number): Binding => ({ kind: 'mouse', button });
/** A gamepad button of the standard mapping (0 A / cross, 1 B, 2 X, 3 Y, 12-15 the d-pad...), on any pad. */
export const padButton = (button: number): Binding => ({ kind: 'pad', button });
/** One half of a gamepad axis as a button (`padAxis(0, -1)`: left stick pushed left). */
export const padAxis = (axis: number, sign: 1 | -1): Binding => ({ kind: 'stick', axis, sign });
/** Any finger on the screen. */
export const touch = (): Binding => ({ kind: 'touch' });

/** A two-axis action (movement): directions bound to buttons, and a stick. */
export interface Axis2d {
  readonly kind: 'axis2d';
  readonly left: readonly Binding[];
  readonly right: readonly Binding[];
  readonly up: readonly Binding[];
  readonly down: readonly Binding[];
  /** A stick's axes (`padStick(0)`: the left stick, axes 0 and 1). */
  readonly stick: { readonly x: number; readonly y: number } | null;
  /** A stick closer to its centre than this counts as 0 (default 0.15). */
  readonly deadZone: number;
}

/** The left (0) or right (1) stick of the standard mapping. */
export const padStick = (n: 0 | 1): { x: number; y: number } => ({ x: n * 2, y: n * 2 + 1 });

/** A two-axis action; `up` is +y. */
export function axis2d(o: Partial<Omit<Axis2d, 'kind'>>): Axis2d {
  return { kind: 'axis2d', left: o.left ?? [], right: o.right ?? [], up: o.up ?? [], down: o.down ?? [], stick: o.stick ?? null, deadZone: o.deadZone ?? 0.15 };
}

/** What an action is bound to: buttons, or a two-axis binding. */
export type ActionBinding = readonly Binding[] | Axis2d;

/** A set of actions: a resource token for its {@link Actions}, and the default bindings. */
export interface ActionsKey<A extends string> extends ResourceToken<Actions<A>> {
  readonly defaults: Readonly<Record<A, ActionBinding>>;
}

/** Defines a set of actions and their default bindings. */
export function defineActions<A extends string>(name: string, defaults: Record<A, ActionBinding>): ActionsKey<A> {
  return Object.freeze({ name, kind: 'resource' as const, defaults: { ...defaults } });
}

/** The devices an update reads. */
export interface Devices {
  readonly keyboard: Keyboard;
  readonly mouse: Mouse;
  readonly touches: Touches;
  readonly pads: Gamepads;
}

/** Actions' state this frame (the resource under their key). */
export class Actions<A extends string> {
  private readonly bound: Map<A, ActionBinding>;
  private readonly values = new Map<A, { x: number; y: number; v: number }>();
  private readonly down = new Set<A>();
  private readonly was = new Set<A>();

  constructor(private readonly key: ActionsKey<A>) {
    this.bound = new Map(Object.entries(key.defaults) as [A, ActionBinding][]);
  }

  /** Whether the action is held: its value is at least half (a key: pressed; a trigger or stick: past half way). */
  pressed(a: A): boolean {
    return this.down.has(this.known(a));
  }

  /** Whether it went down this frame. */
  justPressed(a: A): boolean {
    return this.down.has(this.known(a)) && !this.was.has(a);
  }

  /** Whether it went up this frame. */
  justReleased(a: A): boolean {
    return !this.down.has(this.known(a)) && this.was.has(a);
  }

  /** How far: 0..1 (an analog trigger or stick in between; a two-axis action: its length). */
  value(a: A): number {
    return this.values.get(this.known(a))?.v ?? 0;
  }

  /** A two-axis action's direction, length at most 1 (`up` is +y); buttons: `{ x: 0, y: value }`. */
  axis(a: A): { x: number; y: number } {
    const v = this.values.get(this.known(a));
    return v ? { x: v.x, y: v.y } : { x: 0, y: 0 };
  }

  /** Binds the action anew (rebinding at run time); `reset` gives it its defaults back. */
  bind(a: A, binding: ActionBinding): void {
    this.bound.set(this.known(a), binding);
  }

  /** What the action is bound to now. */
  binding(a: A): ActionBinding {
    return this.bound.get(this.known(a))!;
  }

  /** Gives every action its default binding back. */
  reset(): void {
    for (const [a, b] of Object.entries(this.key.defaults) as [A, ActionBinding][]) this.bound.set(a, b);
  }

  /** Reads the devices (once per frame, in `PreUpdate`). */
  update(d: Devices): void {
    this.was.clear();
    for (const a of this.down) this.was.add(a);
    this.down.clear();
    for (const [a, b] of this.bound) {
      const v = 'kind' in b ? axisValue(b, d) : { x: 0, y: buttons(b, d), v: 0 };
      if (!('kind' in b)) v.v = v.y;
      this.values.set(a, v);
      if (v.v >= PRESSED) this.down.add(a);
    }
  }

  private known(a: A): A {
    if (!this.bound.has(a)) throw new Error(`[input] ${this.key.name} has no action "${a}"; it has ${[...this.bound.keys()].join(', ')}`);
    return a;
  }
}

/** The strongest of the bindings, 0..1. */
function buttons(list: readonly Binding[], d: Devices): number {
  let v = 0;
  for (const b of list) v = Math.max(v, one(b, d));
  return v;
}

function one(b: Binding, d: Devices): number {
  switch (b.kind) {
    // A tap that went down and up within one frame counts as held for that frame.
    case 'key': return d.keyboard.pressed(b.code) || d.keyboard.justPressed(b.code) ? 1 : 0;
    case 'mouse': return d.mouse.pressed(b.button) || d.mouse.justPressed(b.button) ? 1 : 0;
    case 'touch': return d.touches.any() || d.touches.justStarted.size > 0 ? 1 : 0;
    case 'pad': {
      let v = 0;
      for (const p of d.pads.pads.values()) v = Math.max(v, p.buttons[b.button] ?? 0);
      return v;
    }
    case 'stick': return Math.max(0, b.sign * d.pads.axis(b.axis));
  }
}

/** A two-axis value: the buttons' directions plus the stick past its dead zone, length at most 1. */
function axisValue(a: Axis2d, d: Devices): { x: number; y: number; v: number } {
  let x = buttons(a.right, d) - buttons(a.left, d);
  let y = buttons(a.up, d) - buttons(a.down, d);
  if (a.stick) {
    const sx = d.pads.axis(a.stick.x);
    const sy = -d.pads.axis(a.stick.y); // the Gamepad API's y grows downwards
    const len = Math.hypot(sx, sy);
    if (len > a.deadZone) {
      const k = Math.min(1, (len - a.deadZone) / (1 - a.deadZone)) / len;
      x += sx * k;
      y += sy * k;
    }
  }
  const len = Math.hypot(x, y);
  if (len > 1) {
    x /= len;
    y /= len;
  }
  return { x, y, v: Math.min(1, len) };
}

/**
 * Adds the actions' resource (under their key) and updates it every frame in
 * `PreUpdate`, after the devices (`InputPlugin`, which it needs).
 */
export class ActionsPlugin<A extends string> implements Plugin {
  readonly name: string;

  constructor(private readonly key: ActionsKey<A>) {
    this.name = `ActionsPlugin(${key.name})`;
  }

  build(app: App): void {
    const actions = new Actions(this.key);
    app.insertResource(this.key, actions);
    app.addSystems(PreUpdate, function updateActions({ resource }) {
      actions.update({ keyboard: resource(Keyboard), mouse: resource(Mouse), touches: resource(Touches), pads: resource(Gamepads) });
    }, { after: 'input', inSet: 'actions' });
  }
}
