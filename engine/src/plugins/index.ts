/**
 * Plugin groups: everything a game needs (`DefaultPlugins`) and a headless
 * core for servers and tests (`MinimalPlugins`).
 * @module
 */
import { PluginGroup } from '../app/index.ts';
import { AssetPlugin } from '../assets/index.ts';
import { DiagnosticsPlugin } from '../diagnostics/index.ts';
import { InputPlugin } from '../input/index.ts';
import { RenderPlugin } from '../render/index.ts';
import { TimePlugin } from '../time/index.ts';
import { TransformPlugin } from '../transform/index.ts';

/**
 * Time, Input, Transform, Asset, Render and Diagnostics plugins with default
 * options. Configure a member with `set`, leave one out with `disable`.
 * @example
 * ```ts
 * new App().addPlugins(DefaultPlugins.set(new RenderPlugin({ canvas })).disable('InputPlugin'));
 * ```
 */
export const DefaultPlugins: PluginGroup = PluginGroup.of(
  'DefaultPlugins',
  new TimePlugin(),
  new InputPlugin(),
  new TransformPlugin(),
  new AssetPlugin(),
  new RenderPlugin(),
  new DiagnosticsPlugin(),
);

/**
 * Time and Transform only: no input, no rendering, no DOM. Drive it with
 * `app.update(dt)`.
 * @example
 * ```ts
 * const app = new App().addPlugins(MinimalPlugins);
 * for (let i = 0; i < 60; i++) app.update(1 / 60);
 * ```
 */
export const MinimalPlugins: PluginGroup = PluginGroup.of('MinimalPlugins', new TimePlugin(), new TransformPlugin());
