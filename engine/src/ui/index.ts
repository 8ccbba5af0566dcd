/**
 * UI door: a small retained UI for game screens, drawn as DOM elements over
 * the canvas and bound to entities. An entity with `ui({...})` is a node
 * (panel, text, button or progress bar); its `Parent` is its parent node, so
 * a screen is a tree of entities, laid out with flex (`direction`, `gap`,
 * `align`, `justify`, `padding`). Change a node with `setUi(eid, {...})`;
 * despawn it (or leave its state with `stateScoped`) and its element goes.
 * Buttons take focus: Tab / arrow keys / the gamepad's d-pad move it,
 * Enter / Space / the gamepad's A press it, as a click does; presses arrive as
 * `UiClick` events.
 * @example
 * ```ts
 * const menu = spawn(world, ui({ kind: 'panel', style: { direction: 'column', gap: 8, align: 'center' } }));
 * const play = spawn(world, ui({ kind: 'button', text: 'Play', name: 'play' }));
 * setParent(world, play, menu);
 * // in a system: for (const c of read(UiClick)) if (c.name === 'play') resource(Game).set('playing');
 * ```
 * @module
 */
import { PostUpdate, PreUpdate, defineEvent, type App, type Plugin } from '../app/index.ts';
import { MAX_ENTITIES, addComponent, entityExists, hasComponent, query, type BundleFn, type EntityId, type World } from '../ecs/index.ts';
import { Gamepads, Keyboard } from '../input/index.ts';
import { Hidden } from '../render/index.ts';
import { Parent } from '../transform/index.ts';

/** How a node lays out its children and looks. Numbers are CSS pixels. */
export interface UiStyle {
  direction: 'row' | 'column';
  gap: number;
  padding: number;
  align: 'start' | 'center' | 'end' | 'stretch';
  justify: 'start' | 'center' | 'end' | 'space-between';
  width: number | string;
  height: number | string;
  background: string;
  color: string;
  fontSize: number;
  /** Whether the node takes pointer events (default: buttons do, other nodes let clicks through to the canvas). */
  pointerEvents: 'auto' | 'none';
  /** Where a root node sits over the canvas (CSS `left` / `top` / `right` / `bottom`). */
  left: number | string;
  top: number | string;
  right: number | string;
  bottom: number | string;
}

/** A node: what it is, what it shows, how it looks. */
export interface UiNode {
  kind: 'panel' | 'text' | 'button' | 'progress';
  /** Text of a text or button node. */
  text?: string;
  /** A progress bar's value, 0..1. */
  value?: number;
  /** A name, given back in `UiClick` (and as the element's `data-ui`). */
  name?: string;
  style?: Partial<UiStyle>;
  /** A CSS class for the element, to style it from the page's CSS. */
  className?: string;
  /** The element's id (for the page's CSS and for tests). */
  id?: string;
  /** `data-*` attributes of the element (`{ step: 'done' }` is `data-step="done"`), for CSS and tests. */
  data?: Record<string, string>;
}

/**
 * The UI node component: each entity's node, a version bumped on change, and
 * its spawn order (siblings show, and take the focus, in the order they were spawned).
 */
export const Ui = { node: [] as Array<UiNode | undefined>, version: new Uint32Array(MAX_ENTITIES), order: new Float64Array(MAX_ENTITIES) };
let spawned = 0;

/** A button was pressed (clicked, or activated from the keyboard or a gamepad). */
export interface UiClickEvent {
  readonly entity: EntityId;
  readonly name: string | undefined;
}
export const UiClick = defineEvent<UiClickEvent>('UiClick');

/** A bundle: the entity is a UI node. */
export function ui(node: UiNode): BundleFn {
  return (world, eid) => {
    addComponent(world, eid, Ui);
    Ui.node[eid] = { ...node };
    Ui.version[eid] = (Ui.version[eid] ?? 0) + 1;
    Ui.order[eid] = ++spawned;
  };
}

/** Changes a node (shown in the next `PostUpdate`). */
export function setUi(eid: EntityId, change: Partial<UiNode>): void {
  const n = Ui.node[eid];
  if (!n) throw new Error(`[ui] entity ${eid} is not a UI node: spawn it with ui({...})`);
  Object.assign(n, change);
  Ui.version[eid] = Ui.version[eid]! + 1;
}

/** Which button has the focus (keyboard and gamepad navigation). */
export class UiFocus {
  focused: EntityId | null = null;
}

/** The CSS display of a shown node. */
const shown = (n: UiNode) => (n.kind === 'text' ? 'block' : 'flex');
const px = (v: number | string | undefined) => (v === undefined ? '' : typeof v === 'number' ? `${v}px` : v);
const FLEX = { start: 'flex-start', center: 'center', end: 'flex-end', stretch: 'stretch', 'space-between': 'space-between' } as const;

/** Writes a node's spec onto its element. */
function paint(el: HTMLElement, n: UiNode, root: boolean): void {
  const s = n.style ?? {};
  el.className = `ui-${n.kind}${n.className ? ` ${n.className}` : ''}`;
  if (n.id) el.id = n.id;
  if (n.name) el.dataset.ui = n.name;
  if (n.data) Object.assign(el.dataset, n.data);
  const st = el.style;
  st.display = shown(n);
  st.flexDirection = s.direction ?? 'column';
  st.gap = px(s.gap);
  st.padding = px(s.padding);
  st.alignItems = s.align ? FLEX[s.align] : '';
  st.justifyContent = s.justify ? FLEX[s.justify] : '';
  st.width = px(s.width);
  st.height = px(s.height);
  st.background = s.background ?? '';
  st.color = s.color ?? '';
  st.fontSize = px(s.fontSize);
  st.pointerEvents = s.pointerEvents ?? (n.kind === 'button' ? 'auto' : '');
  if (root) {
    st.position = 'absolute';
    st.left = px(s.left);
    st.top = px(s.top);
    st.right = px(s.right);
    st.bottom = px(s.bottom);
  }
  if (n.kind === 'progress') {
    const bar = (el.firstElementChild as HTMLElement | null) ?? el.appendChild(document.createElement('div'));
    bar.className = 'ui-progress-bar';
    bar.style.width = `${Math.round(Math.max(0, Math.min(1, n.value ?? 0)) * 100)}%`;
    bar.style.height = '100%';
    bar.style.background = 'currentColor';
    el.setAttribute('role', 'progressbar');
    el.setAttribute('aria-valuenow', String(Math.round((n.value ?? 0) * 100)));
  } else if (n.text !== undefined) el.textContent = n.text;
}

/** The node and every node above it are shown (none is `Hidden`). */
function shownInTree(world: World, e: EntityId): boolean {
  for (let n = e, depth = 0; depth < 64; depth++) {
    if (hasComponent(world, n, Hidden)) return false;
    if (!hasComponent(world, n, Parent)) return true;
    n = Parent.eid[n]!;
  }
  return true;
}

/** Options of `UiPlugin`. */
export interface UiPluginOptions {
  /** Where the UI's layer goes (default: `document.body`). */
  container?: HTMLElement;
}

/**
 * Draws UI nodes as DOM elements in a layer over the page (in `PostUpdate`),
 * moves the focus between buttons and presses them (in `PreUpdate`, after
 * input), and sends `UiClick`. Outside a browser nodes are kept and nothing
 * is drawn (the focus and clicks from keys still work).
 */
export class UiPlugin implements Plugin {
  readonly name = 'UiPlugin';

  constructor(private readonly options: UiPluginOptions = {}) {}

  build(app: App): void {
    const focus = new UiFocus();
    app.insertResource(focus).addEvent(UiClick);
    const dom = typeof document !== 'undefined' ? new DomLayer(this.options.container ?? document.body) : null;
    if (dom) app.onExit(() => dom.remove());
    app.addSystems(PreUpdate, function navigateUi({ world, getResource, send }) {
      const focusable = (e: EntityId) => entityExists(world, e) && Ui.node[e]?.kind === 'button' && hasComponent(world, e, Ui) && shownInTree(world, e);
      if (focus.focused !== null && !focusable(focus.focused)) focus.focused = null;
      const keys = getResource(Keyboard);
      const pads = getResource(Gamepads);
      const step = (keys?.justPressed('ArrowDown') || keys?.justPressed('ArrowRight') || keys?.justPressed('Tab') || pads?.justPressed(13) ? 1 : 0)
        - (keys?.justPressed('ArrowUp') || keys?.justPressed('ArrowLeft') || pads?.justPressed(12) ? 1 : 0);
      if (step !== 0) {
        // The buttons in spawn order, only when the focus moves.
        const buttons = [...query(world, [Ui])].filter(focusable).sort((a, b) => Ui.order[a]! - Ui.order[b]!);
        if (buttons.length > 0) {
          const i = focus.focused === null ? (step > 0 ? -1 : 0) : buttons.indexOf(focus.focused);
          focus.focused = buttons[(i + step + buttons.length) % buttons.length]!;
        }
      }
      if (focus.focused !== null && (keys?.justPressed('Enter') || keys?.justPressed('Space') || pads?.justPressed(0))) {
        send(UiClick, { entity: focus.focused, name: Ui.node[focus.focused]?.name });
      }
      for (const c of dom?.clicks.splice(0) ?? []) send(UiClick, c);
    }, { after: 'input', inSet: 'ui' });
    if (dom) app.addSystems(PostUpdate, ({ world }) => dom.sync(world, focus.focused), { inSet: 'ui' });
  }
}

/** The UI's DOM: one element per node, under its parent node's element, in a layer over the page. */
class DomLayer {
  readonly clicks: UiClickEvent[] = [];
  private readonly layer: HTMLElement;
  private readonly els = new Map<EntityId, { el: HTMLElement; version: number; order: number }>();
  private readonly order = new WeakMap<Element, number>();

  constructor(container: HTMLElement) {
    this.layer = document.createElement('div');
    this.layer.className = 'ui-layer';
    Object.assign(this.layer.style, { position: 'absolute', inset: '0', pointerEvents: 'none' });
    container.appendChild(this.layer);
  }

  remove(): void {
    this.layer.remove();
  }

  /** Puts an element under its parent's, before the first sibling spawned after it. */
  private place(home: HTMLElement, el: HTMLElement, order: number): void {
    this.order.set(el, order);
    for (const c of home.children) {
      if ((this.order.get(c) ?? 0) > order) {
        home.insertBefore(el, c);
        return;
      }
    }
    home.appendChild(el);
  }

  sync(world: World, focused: EntityId | null): void {
    const live = new Set<EntityId>();
    // Elements first, so that every child finds its parent's element.
    for (const e of query(world, [Ui])) {
      const n = Ui.node[e];
      if (!n) continue;
      live.add(e);
      const had = this.els.get(e);
      if (had && had.order === Ui.order[e]) continue;
      had?.el.remove(); // the entity id was used again by a new node
      const el = document.createElement(n.kind === 'button' ? 'button' : 'div');
      if (n.kind === 'button') el.addEventListener('click', () => this.clicks.push({ entity: e, name: Ui.node[e]?.name }));
      this.els.set(e, { el, version: -1, order: Ui.order[e]! });
    }
    for (const e of live) {
      const r = this.els.get(e)!;
      const parent = hasComponent(world, e, Parent) ? this.els.get(Parent.eid[e]!)?.el : undefined;
      const home = parent ?? this.layer;
      if (r.el.parentElement !== home) this.place(home, r.el, Ui.order[e]!);
      const repainted = r.version !== Ui.version[e];
      if (repainted) {
        paint(r.el, Ui.node[e]!, !parent);
        r.version = Ui.version[e]!;
      }
      // Hidden nodes (and their subtrees) leave the layout, whatever the page's CSS says.
      const hidden = hasComponent(world, e, Hidden);
      if (r.el.hidden !== hidden || repainted) {
        r.el.hidden = hidden;
        r.el.style.display = hidden ? 'none' : shown(Ui.node[e]!);
      }
      r.el.classList.toggle('ui-focused', e === focused);
      if (e === focused && document.activeElement !== r.el) r.el.focus({ preventScroll: true });
    }
    for (const [e, r] of this.els) {
      if (live.has(e) && entityExists(world, e)) continue;
      r.el.remove();
      this.els.delete(e);
    }
  }
}
