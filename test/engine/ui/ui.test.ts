// The UI without a DOM (Node): nodes are kept, focus and presses from the keys still work.
import { describe, expect, it } from 'vitest';
import { App, InputPlugin, MinimalPlugins, SyntheticInput, Ui, UiClick, UiFocus, UiPlugin, Update, setUi, spawn, ui, type SystemContext } from '@ltask-web/engine';

describe('UI without a DOM', () => {
  it('keeps nodes, moves the focus and presses buttons from the keyboard', () => {
    const input = new SyntheticInput();
    const app = new App().addPlugins(MinimalPlugins, new InputPlugin({ source: input }), new UiPlugin());
    const names: (string | undefined)[] = [];
    app.addSystems(Update, ({ read }: SystemContext) => void names.push(...read(UiClick).map((c) => c.name)));
    const a = spawn(app.world, ui({ kind: 'button', text: 'A', name: 'a' }));
    spawn(app.world, ui({ kind: 'button', text: 'B', name: 'b' }));
    input.keyDown('Tab').keyUp('Tab');
    app.update(1 / 60);
    expect(app.resource(UiFocus).focused).toBe(a);
    input.keyDown('ArrowUp').keyUp('ArrowUp'); // wraps to the last
    app.update(1 / 60);
    input.keyDown('Space').keyUp('Space');
    app.update(1 / 60);
    app.update(1 / 60);
    expect(names).toEqual(['b']);
    setUi(a, { text: 'A!' });
    expect(Ui.node[a]!.text).toBe('A!');
    expect(() => setUi(9999, { text: 'x' })).toThrow(/entity 9999 is not a UI node/);
  });
});
