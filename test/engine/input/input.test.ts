import { describe, expect, it } from 'vitest';
import { App, Update } from '../../../engine/src/app/index.ts';
import { InputPlugin, Keyboard, Mouse, SyntheticInput, Touches } from '../../../engine/src/input/index.ts';

function setup() {
  const input = new SyntheticInput();
  const app = new App().addPlugins(new InputPlugin({ source: input }));
  return { input, app };
}

describe('InputPlugin', () => {
  it('reports just pressed for one frame and pressed until release', () => {
    const { input, app } = setup();
    const seen: string[] = [];
    app.addSystems(Update, ({ resource }) => {
      const k = resource(Keyboard);
      seen.push(`${k.pressed('Space')}/${k.justPressed('Space')}/${k.justReleased('Space')}`);
    });
    input.keyDown('Space');
    app.update(0);
    input.keyDown('Space'); // key repeat while held
    app.update(0);
    input.keyUp('Space');
    app.update(0);
    app.update(0);
    expect(seen).toEqual(['true/true/false', 'true/false/false', 'false/false/true', 'false/false/false']);
  });

  it('sees a press and release within one frame as just pressed and just released', () => {
    const { input, app } = setup();
    input.mouseDown(0).mouseUp(0);
    app.update(0);
    const mouse = app.resource(Mouse);
    expect(mouse.justPressed(0)).toBe(true);
    expect(mouse.justReleased(0)).toBe(true);
    expect(mouse.pressed(0)).toBe(false);
  });

  it('tracks mouse motion and wheel per frame', () => {
    const { input, app } = setup();
    input.mouseMove(10, 10);
    app.update(0);
    input.mouseMove(15, 7).wheel(0, 120);
    app.update(0);
    const mouse = app.resource(Mouse);
    expect([mouse.x, mouse.y, mouse.dx, mouse.dy, mouse.wheelY]).toEqual([15, 7, 5, -3, 120]);
    app.update(0);
    expect([mouse.dx, mouse.dy, mouse.wheelY]).toEqual([0, 0, 0]);
  });

  it('tracks touches from start to end', () => {
    const { input, app } = setup();
    input.touchStart(1, 5, 5);
    app.update(0);
    const touches = app.resource(Touches);
    expect(touches.justStarted.has(1)).toBe(true);
    input.touchMove(1, 8, 9);
    app.update(0);
    expect(touches.active.get(1)).toMatchObject({ x: 8, y: 9, startX: 5, startY: 5 });
    expect(touches.justStarted.size).toBe(0);
    input.touchEnd(1);
    app.update(0);
    expect(touches.any()).toBe(false);
    expect(touches.justEnded.has(1)).toBe(true);
  });

  it('releases everything when the window loses focus', () => {
    const { input, app } = setup();
    input.keyDown('KeyW');
    app.update(0);
    input.emit({ type: 'blur' });
    app.update(0);
    expect(app.resource(Keyboard).pressed('KeyW')).toBe(false);
    expect(app.resource(Keyboard).justReleased('KeyW')).toBe(true);
  });
});
