import { describe, expect, it } from 'vitest';
import { App } from '../../../engine/src/app/index.ts';
import { DomInputSource, InputPlugin, Keyboard, Mouse } from '../../../engine/src/input/index.ts';

describe('DomInputSource', () => {
  it('feeds real DOM keyboard and mouse events into the input resources', () => {
    const target = document.createElement('div');
    target.style.cssText = 'position:absolute;left:10px;top:20px;width:100px;height:100px';
    document.body.appendChild(target);
    const app = new App().addPlugins(new InputPlugin({ source: new DomInputSource(target) }));
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyA' }));
    target.dispatchEvent(new MouseEvent('mousemove', { clientX: 30, clientY: 50 }));
    target.dispatchEvent(new MouseEvent('mousedown', { button: 2 }));
    app.update(0);
    expect(app.resource(Keyboard).justPressed('KeyA')).toBe(true);
    const mouse = app.resource(Mouse);
    expect([mouse.x, mouse.y, mouse.pressed(2)]).toEqual([20, 30, true]);
    app.exit(); // detaches the listeners
    window.dispatchEvent(new KeyboardEvent('keyup', { code: 'KeyA' }));
    expect(app.resource(Keyboard).pressed('KeyA')).toBe(true);
    target.remove();
  });
});
