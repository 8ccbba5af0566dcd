// The browser's Gamepad API feeds Gamepads and actions: navigator.getGamepads()
// is replaced by a pad the test holds (no pad is plugged into these machines).
import { afterEach, describe, expect, it } from 'vitest';
import { ActionsPlugin, App, Gamepads, InputPlugin, MinimalPlugins, SyntheticInput, axis2d, defineActions, padButton, padStick } from '@ltask-web/engine';

const Controls = defineActions('Pad', { jump: [padButton(0)], move: axis2d({ stick: padStick(0) }) });
const real = Object.getOwnPropertyDescriptor(Navigator.prototype, 'getGamepads');
afterEach(() => {
  if (real) Object.defineProperty(Navigator.prototype, 'getGamepads', real);
});

describe('gamepads in a browser', () => {
  it('a pad from navigator.getGamepads() presses an action and moves a stick', () => {
    const pad = { index: 0, connected: true, buttons: [{ pressed: false, value: 0 }], axes: [0.9, 0] };
    Object.defineProperty(Navigator.prototype, 'getGamepads', { configurable: true, value: () => [pad, null] });
    const a = new App().addPlugins(MinimalPlugins, new InputPlugin({ source: new SyntheticInput() }), new ActionsPlugin(Controls));
    a.update(1 / 60);
    const c = a.resource(Controls);
    expect(c.pressed('jump')).toBe(false);
    expect(c.axis('move').x).toBeGreaterThan(0.8);
    pad.buttons[0] = { pressed: true, value: 1 };
    a.update(1 / 60);
    expect(c.justPressed('jump')).toBe(true);
    expect(a.resource(Gamepads).pads.size).toBe(1);
  });
});
