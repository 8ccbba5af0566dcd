// Input actions over keyboard, mouse, touch and gamepads (synthetic source, headless App).
import { describe, expect, it } from 'vitest';
import {
  ActionsPlugin, App, Gamepads, InputPlugin, MinimalPlugins, SyntheticInput, axis2d, defineActions, key, mouseButton, padAxis, padButton, padStick, touch,
} from '@ltask-web/engine';

const Controls = defineActions('Controls', {
  jump: [key('Space'), padButton(0), touch()],
  fire: [mouseButton(0), padButton(7)],
  left: [key('ArrowLeft'), padAxis(0, -1)],
  move: axis2d({ left: [key('KeyA')], right: [key('KeyD')], up: [key('KeyW')], down: [key('KeyS')], stick: padStick(0) }),
});

function app(): { a: App; input: SyntheticInput } {
  const input = new SyntheticInput();
  const a = new App().addPlugins(MinimalPlugins, new InputPlugin({ source: input, gamepads: false }), new ActionsPlugin(Controls));
  return { a, input };
}

describe('input actions', () => {
  it('pressed / justPressed / justReleased from any binding: key, touch, gamepad button', () => {
    const { a, input } = app();
    const c = a.resource(Controls);
    input.keyDown('Space');
    a.update(1 / 60);
    expect([c.pressed('jump'), c.justPressed('jump')]).toEqual([true, true]);
    a.update(1 / 60);
    expect([c.pressed('jump'), c.justPressed('jump')]).toEqual([true, false]);
    input.keyUp('Space');
    a.update(1 / 60);
    expect([c.pressed('jump'), c.justReleased('jump')]).toEqual([false, true]);
    input.touchStart(1, 10, 10);
    a.update(1 / 60);
    expect(c.justPressed('jump')).toBe(true);
    input.touchEnd(1);
    input.gamepad(0, { buttons: [1] });
    a.update(1 / 60);
    expect(c.pressed('jump')).toBe(true); // the pad holds it: touch ended, still pressed
    expect(c.justPressed('jump')).toBe(false);
    input.gamepad(0, null);
    a.update(1 / 60);
    expect(c.justReleased('jump')).toBe(true);
  });

  it('a tap within one frame (down and up before it) presses the action for that frame', () => {
    const { a, input } = app();
    const c = a.resource(Controls);
    input.keyDown('Space').keyUp('Space');
    a.update(1 / 60);
    expect([c.pressed('jump'), c.justPressed('jump')]).toEqual([true, true]);
    a.update(1 / 60);
    expect([c.pressed('jump'), c.justReleased('jump')]).toEqual([false, true]);
    input.touchStart(3, 1, 1).touchEnd(3);
    a.update(1 / 60);
    expect(c.justPressed('jump')).toBe(true);
  });

  it('analog: a trigger has a value and counts as pressed from half way; a stick half is a button', () => {
    const { a, input } = app();
    const c = a.resource(Controls);
    input.gamepad(0, { buttons: [0, 0, 0, 0, 0, 0, 0, 0.3], axes: [-0.8, 0] });
    a.update(1 / 60);
    expect(c.value('fire')).toBeCloseTo(0.3, 5);
    expect(c.pressed('fire')).toBe(false);
    expect(c.pressed('left')).toBe(true);
    expect(c.value('left')).toBeCloseTo(0.8, 5);
    expect(a.resource(Gamepads).axis(0)).toBeCloseTo(-0.8, 5);
    input.gamepad(0, { buttons: [0, 0, 0, 0, 0, 0, 0, 0.9] });
    a.update(1 / 60);
    expect(c.justPressed('fire')).toBe(true);
  });

  it('a two-axis action: keys and the stick, a dead zone, length at most 1, up is +y', () => {
    const { a, input } = app();
    const c = a.resource(Controls);
    input.keyDown('KeyD').keyDown('KeyW');
    a.update(1 / 60);
    const m = c.axis('move');
    expect(m.x).toBeCloseTo(Math.SQRT1_2, 5);
    expect(m.y).toBeCloseTo(Math.SQRT1_2, 5);
    expect(c.pressed('move')).toBe(true);
    input.keyUp('KeyD').keyUp('KeyW');
    input.gamepad(1, { axes: [0.1, -0.05] }); // inside the dead zone
    a.update(1 / 60);
    expect(c.axis('move')).toEqual({ x: 0, y: 0 });
    input.gamepad(1, { axes: [0, -1] }); // stick pushed up (the Gamepad API's -y)
    a.update(1 / 60);
    expect(c.axis('move').y).toBeCloseTo(1, 5);
    expect(c.value('move')).toBeCloseTo(1, 5);
  });

  it('rebinding at run time, and back to the defaults; unknown actions name the known ones', () => {
    const { a, input } = app();
    const c = a.resource(Controls);
    c.bind('jump', [key('KeyJ')]);
    input.keyDown('Space');
    a.update(1 / 60);
    expect(c.pressed('jump')).toBe(false);
    input.keyDown('KeyJ');
    a.update(1 / 60);
    expect(c.pressed('jump')).toBe(true);
    c.reset();
    input.keyUp('KeyJ');
    a.update(1 / 60);
    expect(c.pressed('jump')).toBe(true); // Space again
    expect(() => c.pressed('dash' as 'jump')).toThrow(/Controls has no action "dash"; it has jump, fire, left, move/);
  });
});
