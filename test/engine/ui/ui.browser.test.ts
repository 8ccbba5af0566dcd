// The retained UI in a real DOM: nodes bound to entities, a flex tree under
// Parent, updates, focus moved and buttons pressed from the keyboard and a gamepad.
import { afterEach, describe, expect, it } from 'vitest';
import {
  App, Hidden, InputPlugin, MinimalPlugins, SyntheticInput, UiClick, UiFocus, UiPlugin, Update, addComponent, despawn, setParent, setUi, spawn, ui,
  type SystemContext, type UiClickEvent,
} from '@ltask-web/engine';

let host: HTMLElement | null = null;
afterEach(() => {
  host?.remove();
  host = null;
});

function setup() {
  host = document.createElement('div');
  document.body.appendChild(host);
  const input = new SyntheticInput();
  const app = new App().addPlugins(MinimalPlugins, new InputPlugin({ source: input, gamepads: false }), new UiPlugin({ container: host }));
  const clicks: UiClickEvent[] = [];
  app.addSystems(Update, ({ read }: SystemContext) => void clicks.push(...read(UiClick)));
  const w = app.world;
  const menu = spawn(w, ui({ kind: 'panel', name: 'menu', style: { direction: 'column', gap: 8, align: 'center', left: 10, top: 20 } }));
  const title = spawn(w, ui({ kind: 'text', text: 'Meadow', name: 'title' }));
  const play = spawn(w, ui({ kind: 'button', text: 'Play', name: 'play' }));
  const quit = spawn(w, ui({ kind: 'button', text: 'Quit', name: 'quit' }));
  const bar = spawn(w, ui({ kind: 'progress', value: 0.25, name: 'load' }));
  for (const e of [title, play, quit, bar]) setParent(w, e, menu);
  return { app, input, clicks, ids: { menu, title, play, quit, bar } };
}

const $ = (name: string) => host!.querySelector<HTMLElement>(`[data-ui="${name}"]`)!;

describe('UI (DOM)', () => {
  it('draws the tree with its layout, and follows changes, hiding and despawns', () => {
    const { app, ids } = setup();
    app.update(1 / 60);
    const menu = $('menu');
    expect(menu.parentElement!.className).toBe('ui-layer');
    expect([...menu.children].map((c) => (c as HTMLElement).dataset.ui)).toEqual(['title', 'play', 'quit', 'load']);
    expect(menu.style.flexDirection).toBe('column');
    expect(menu.style.left).toBe('10px');
    expect($('play').tagName).toBe('BUTTON');
    expect($('title').textContent).toBe('Meadow');
    expect(($('load').firstElementChild as HTMLElement).style.width).toBe('25%');
    setUi(ids.title, { text: 'Meadow Crossing' });
    setUi(ids.bar, { value: 0.8 });
    addComponent(app.world, ids.quit, Hidden);
    app.update(1 / 60);
    expect($('title').textContent).toBe('Meadow Crossing');
    expect($('load').getAttribute('aria-valuenow')).toBe('80');
    expect($('quit').hidden).toBe(true);
    despawn(app.world, ids.title);
    app.update(1 / 60);
    expect(host!.querySelector('[data-ui="title"]')).toBeNull();
  });

  it('focus moves with the keys and the d-pad; Enter, the gamepad A and a click press a button', () => {
    const { app, input, clicks, ids } = setup();
    app.update(1 / 60);
    input.keyDown('ArrowDown').keyUp('ArrowDown');
    app.update(1 / 60);
    expect(app.resource(UiFocus).focused).toBe(ids.play);
    app.update(1 / 60);
    expect($('play').classList.contains('ui-focused')).toBe(true);
    input.keyDown('Enter').keyUp('Enter');
    app.update(1 / 60);
    input.gamepad(0, { buttons: Object.assign(new Array(17).fill(0), { 13: 1 }) });
    app.update(1 / 60);
    expect(app.resource(UiFocus).focused).toBe(ids.quit);
    input.gamepad(0, { buttons: [1] });
    app.update(1 / 60);
    $('play').click();
    app.update(1 / 60);
    app.update(1 / 60);
    expect(clicks.map((c) => c.name)).toEqual(['play', 'quit', 'play']);
  });

  it('ids and data attributes for the page\'s CSS; a hidden panel takes its buttons out of the layout and of the focus; only buttons catch the pointer', () => {
    const { app, input, ids } = setup();
    const w = app.world;
    const card = spawn(w, ui({ kind: 'panel', id: 'card', data: { step: 'waiting' }, style: { left: 0, top: 0 } }));
    const go = spawn(w, ui({ kind: 'button', text: 'Go', name: 'go' }));
    setParent(w, go, card);
    app.update(1 / 60);
    const el = host!.querySelector<HTMLElement>('#card')!;
    expect(el.dataset.step).toBe('waiting');
    setUi(card, { data: { step: 'done' } });
    app.update(1 / 60);
    expect(el.dataset.step).toBe('done');
    // Without any page CSS: text and panels let the pointer through, buttons take it.
    expect(getComputedStyle($('title')).pointerEvents).toBe('none');
    expect(getComputedStyle($('go')).pointerEvents).toBe('auto');
    // Hidden: gone from the layout although the node's style says flex, and its buttons out of the focus ring.
    addComponent(w, card, Hidden);
    addComponent(w, ids.quit, Hidden);
    app.update(1 / 60);
    expect(getComputedStyle(el).display).toBe('none');
    expect(getComputedStyle($('quit')).display).toBe('none');
    expect($('go').getBoundingClientRect().width).toBe(0);
    const seen = new Set<number | null>();
    for (let i = 0; i < 4; i++) {
      input.keyDown('Tab').keyUp('Tab');
      app.update(1 / 60);
      seen.add(app.resource(UiFocus).focused);
    }
    expect([...seen]).toEqual([ids.play]);
  });

  it('siblings show and take the focus in the order they were spawned, also when entity ids are used again', () => {
    const { app, input, ids } = setup();
    const w = app.world;
    app.update(1 / 60);
    despawn(w, ids.play);
    despawn(w, ids.title);
    const again = spawn(w, ui({ kind: 'button', text: 'Again', name: 'again' }));
    setParent(w, again, ids.menu);
    app.update(1 / 60);
    expect([...$('menu').children].map((c) => (c as HTMLElement).dataset.ui)).toEqual(['quit', 'load', 'again']);
    const order: Array<number | null> = [];
    for (let i = 0; i < 2; i++) {
      input.keyDown('Tab').keyUp('Tab');
      app.update(1 / 60);
      order.push(app.resource(UiFocus).focused);
    }
    expect(order).toEqual([ids.quit, again]);
  });
});
