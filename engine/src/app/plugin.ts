/**
 * Plugins and plugin groups (bevy `Plugin`, `PluginGroup`).
 */
import type { App } from './app.ts';

/**
 * A unit of App configuration. `build` runs as soon as the plugin is added;
 * `ready`, `finish` and `cleanup` run in `app.ready()` (or before the first
 * `app.update()` when every `ready` is synchronous), each for all plugins in the
 * order they were added.
 *
 * @example
 * ```ts
 * class ScorePlugin implements Plugin {
 *   readonly name = 'ScorePlugin';
 *   build(app: App) {
 *     app.insertResource(new Score()).addSystems(Update, countScore);
 *   }
 * }
 * ```
 */
export interface Plugin {
  /** Unique within an App; adding two plugins with one name is an error. */
  readonly name: string;
  /** Registers resources, systems, events, loaders... on the App. */
  build(app: App): void;
  /**
   * Async setup (load a wasm module, start workers). Return a Promise, or
   * `false` when not ready yet (then `app.ready()` polls it once per task turn).
   */
  ready?(app: App): boolean | void | Promise<unknown>;
  /** Runs after every plugin is ready: read what other plugins registered. */
  finish?(app: App): void;
  /** Runs after every `finish`. */
  cleanup?(app: App): void;
  /** `false` lets the same plugin be added more than once. Default `true`. */
  readonly unique?: boolean;
}

/** A plain function is a plugin too; its name is the function's name. */
export type PluginFn = (app: App) => void;

/**
 * A named, ordered set of plugins that can be changed before it is added.
 * @example
 * ```ts
 * app.addPlugins(DefaultPlugins.set(new RenderPlugin({ canvas })).disable('InputPlugin'));
 * ```
 */
export class PluginGroup {
  /**
   * @param name group name, for messages
   * @param entries member plugins in build order (a disabled member keeps its place)
   */
  constructor(
    readonly name: string,
    private readonly entries: ReadonlyArray<{ plugin: Plugin | PluginFn; enabled: boolean }>,
  ) {}

  /** Makes a group from plugins. */
  static of(name: string, ...plugins: Array<Plugin | PluginFn>): PluginGroup {
    return new PluginGroup(name, plugins.map((plugin) => ({ plugin, enabled: true })));
  }

  /** Replaces the member with the same name (e.g. a configured `RenderPlugin`). */
  set(plugin: Plugin | PluginFn): PluginGroup {
    const name = pluginName(plugin);
    if (!this.entries.some((e) => pluginName(e.plugin) === name)) {
      throw new Error(`[app] plugin group "${this.name}" has no plugin "${name}" to set`);
    }
    return new PluginGroup(this.name, this.entries.map((e) => (pluginName(e.plugin) === name ? { plugin, enabled: true } : e)));
  }

  /** Leaves a member out (by name or by class with a `name` field on instances). */
  disable(which: string | (new (...args: never[]) => Plugin)): PluginGroup {
    return this.toggle(which, false);
  }

  /** Puts back a member that was disabled. */
  enable(which: string | (new (...args: never[]) => Plugin)): PluginGroup {
    return this.toggle(which, true);
  }

  /** Adds a member at the end. */
  add(plugin: Plugin | PluginFn): PluginGroup {
    return new PluginGroup(this.name, [...this.entries, { plugin, enabled: true }]);
  }

  /** Enabled members in build order. */
  plugins(): Array<Plugin | PluginFn> {
    return this.entries.filter((e) => e.enabled).map((e) => e.plugin);
  }

  /** Names of all members, enabled or not. */
  names(): string[] {
    return this.entries.map((e) => pluginName(e.plugin));
  }

  private toggle(which: string | (new (...args: never[]) => Plugin), enabled: boolean): PluginGroup {
    const match = (p: Plugin | PluginFn) =>
      typeof which === 'string' ? pluginName(p) === which : p instanceof which;
    if (!this.entries.some((e) => match(e.plugin))) {
      const label = typeof which === 'string' ? which : which.name;
      throw new Error(`[app] plugin group "${this.name}" has no plugin "${label}"`);
    }
    return new PluginGroup(this.name, this.entries.map((e) => (match(e.plugin) ? { plugin: e.plugin, enabled } : e)));
  }
}

/** Anything `app.addPlugins` accepts. */
export type Plugins = Plugin | PluginFn | PluginGroup | ReadonlyArray<Plugin | PluginFn | PluginGroup>;

/** The name a plugin is known by. */
export function pluginName(plugin: Plugin | PluginFn): string {
  return typeof plugin === 'function' ? plugin.name : plugin.name;
}

/** Wraps a function plugin so the App deals with one shape. */
export function toPlugin(plugin: Plugin | PluginFn): Plugin {
  if (typeof plugin !== 'function') return plugin;
  const unique = plugin.name !== '';
  return { name: plugin.name || '<anonymous plugin>', unique, build: plugin };
}
