/**
 * Vite support for plugin-ltask.
 *
 * fengari's `src/luaconf.js` reads `process.env.FENGARICONF` at load time. In a
 * browser worker there is no `process`, so the module throws
 * `process is not defined`. This plugin guards that one expression. We do not use
 * `define: { process: ... }`: fengari tests `typeof process` elsewhere to decide
 * whether it runs in Node, and would then try to use `fs` and `process.stdout`.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { ltaskVite } from 'plugin-ltask/vite';
 * export default defineConfig(ltaskVite.configure({ plugins: [] }));
 * ```
 */
import type { Plugin, UserConfig } from 'vite';

const LUACONF = /fengari[\\/]src[\\/]luaconf\.js$/;
const NEEDLE = 'process.env.FENGARICONF';
const GUARDED = '(typeof process !== "undefined" && process.env && process.env.FENGARICONF)';

/** Rewrites fengari's `process.env.FENGARICONF` read so it is safe without `process`. */
export function fengariGuard(): Plugin {
  return {
    name: 'ltask:fengari-guard',
    enforce: 'pre',
    transform(code, id) {
      if (!LUACONF.test(id.split('?')[0]!) || !code.includes(NEEDLE)) return null;
      return { code: code.split(NEEDLE).join(GUARDED), map: null };
    },
  };
}

/**
 * Adds what plugin-ltask needs to a vite config: the fengari guard in `plugins`,
 * `worker.plugins` and the dependency optimizer, and pre-bundling of fengari.
 */
export function withLtask(config: UserConfig = {}): UserConfig {
  const guard = fengariGuard();
  const workerPlugins = config.worker?.plugins;
  const optimize = config.optimizeDeps ?? {};
  const rolldown = optimize.rolldownOptions ?? {};
  const rolldownPlugins = rolldown.plugins;
  return {
    ...config,
    plugins: [guard, ...(config.plugins ?? [])],
    worker: {
      format: 'es',
      ...config.worker,
      plugins: () => [fengariGuard(), ...(workerPlugins ? workerPlugins() : [])],
    },
    optimizeDeps: {
      ...optimize,
      include: [...new Set([...(optimize.include ?? []), 'fengari'])],
      rolldownOptions: {
        ...rolldown,
        plugins: [fengariGuard() as never, ...(Array.isArray(rolldownPlugins) ? rolldownPlugins : rolldownPlugins ? [rolldownPlugins] : [])],
      },
    },
  };
}
