/**
 * The vite plugin for @ltask-web/plugin-ltask: everything a vite project needs
 * to run the runtime, in the dev server and in production builds.
 *
 * - Cross-origin isolation headers (COOP + COEP) on the dev server and on
 *   `vite preview`, set before vite's own middlewares (so 304 answers carry them).
 * - fengari, patched while bundling (main build, worker bundles and the dev
 *   dependency optimizer), its Node-only requires (`fs`, `tmp`...) resolved to
 *   an empty module in browser builds: see `./fengari.ts`.
 * - Native modules: `import sqlite from './sqlite.ts?ltask-native'` gives a
 *   bundle (`{ carrier: url }`) whose carrier worker script holds the module,
 *   in dev and in builds; pass it in `natives`.
 * - TypeScript services: `import score from './score.ts?ltask-service'` gives
 *   a bundle (`{ service: url }`), a JS module whose default export is the
 *   factory, with its imports; pass it in `services`. Saving it (or a module
 *   it imports) in dev restarts its services: see `./services.ts`.
 * - Lua sources: `import src from './hello.lua'` gives the text. Editing a Lua
 *   file in dev restarts the services that run it, without a page reload.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite';
 * import { ltask } from '@ltask-web/plugin-ltask/vite';
 * export default defineConfig({ plugins: [ltask()] });
 * ```
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Connect, Plugin, UserConfig } from 'vite';
import { ASSET_UPDATE_EVENT, LUA_UPDATE_EVENT, type LuaUpdate } from '../wire/protocol.ts';
import { servicesPlugin } from './services.ts';
import { fengariPlugin } from './fengari.ts';

export type { LuaUpdate };
export { patchFengari } from './fengari.ts';

/** Options of {@link ltask}. */
export interface LtaskViteOptions {
  /** Set the isolation headers on the dev server and on `vite preview` (default true). */
  headers?: boolean;
}

const PACKAGE = '@ltask-web/plugin-ltask';

/** The two headers that make a page cross-origin isolated (SharedArrayBuffer, Atomics.wait). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// ---- native modules and Lua sources ----------------------------------------

const NATIVE_QUERY = '?ltask-native';
/** A carrier entry's id: the native module's path with this suffix (no such file exists). */
const CARRIER_SUFFIX = '.ltask-carrier.js';
const WORKER_QUERY = /[?&](worker|sharedworker)(&|$)/;
const LUA_FILE = /\.lua$/;
/** Asset files reloaded in place by the App's AssetServer when saved under `public/`. */
const ASSET_FILE = /\.(png|jpe?g|webp|gif|gltf|glb|bin|json|txt|wav|ogg|mp3|m4a|flac)$/i;

/** The last text of each .lua file a page imported: sent as `previous` with an update. */
const luaTexts = new Map<string, string>();

function sourcesPlugin(): Plugin {
  return {
    name: 'ltask:sources',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (source.endsWith(NATIVE_QUERY)) {
        const target = source.slice(0, -NATIVE_QUERY.length);
        const r = await this.resolve(target, importer, { skipSelf: true });
        if (!r) this.error(`[ltask] native module "${target}" not found (imported with ?ltask-native from ${importer ?? 'the config'})`);
        return r.id.split('?')[0] + NATIVE_QUERY;
      }
      const clean = source.split('?')[0]!;
      if (clean.endsWith(CARRIER_SUFFIX)) {
        // Dev server URLs are root-relative or /@fs/ paths; bundles use the absolute id.
        const root = this.environment?.config.root ?? process.cwd();
        let file = clean.startsWith('/@fs/') ? clean.slice(4) : clean;
        if (!existsSync(file.slice(0, -CARRIER_SUFFIX.length))) file = resolve(root, '.' + file);
        return file + source.slice(clean.length);
      }
      return null;
    },
    load(id) {
      const clean = id.split('?')[0]!;
      if (id.endsWith(NATIVE_QUERY)) {
        const entry = JSON.stringify(clean + CARRIER_SUFFIX + '?worker&url');
        return `import carrier from ${entry};\nexport default { carrier };\n`;
      }
      // vite's worker plugin loads `?worker` ids; the bundle's input (no query) and
      // the dev server's `?worker_file` request come here.
      if (clean.endsWith(CARRIER_SUFFIX) && !WORKER_QUERY.test(id)) {
        const native = JSON.stringify(clean.slice(0, -CARRIER_SUFFIX.length));
        return `import { serveNative } from '${PACKAGE}/carrier';\nimport mod from ${native};\nserveNative(mod);\n`;
      }
      return null;
    },
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (!LUA_FILE.test(file)) return null;
      if (/[?&]raw\b/.test(id)) return null;
      luaTexts.set(file, code);
      return { code: `export default ${JSON.stringify(code)};\n`, map: null };
    },
  };
}

// ---- servers ------------------------------------------------------------

function isolation(): Connect.NextHandleFunction {
  return (_req, res, next) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    next();
  };
}

function serverPlugin(options: LtaskViteOptions): Plugin {
  let outDir = 'dist';
  let root = process.cwd();
  let publicDir = '';
  return {
    name: 'ltask:server',
    configResolved(config) {
      root = config.root;
      publicDir = config.publicDir;
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      if (options.headers !== false) server.middlewares.use(isolation());
    },
    configurePreviewServer(server) {
      if (!existsSync(outDir)) {
        throw new Error(`[ltask] vite preview serves a build, and there is none in ${relative(root, outDir) || outDir}: run "vite build" first.`);
      }
      if (options.headers !== false) server.middlewares.use(isolation());
    },
    async hotUpdate({ file, read }) {
      if (this.environment.name !== 'client') return;
      const inPublic = publicDir !== '' && !relative(publicDir, file).startsWith('..');
      if (inPublic && ASSET_FILE.test(file)) {
        // An asset the App may have loaded: the AssetServer reloads it in place (no page reload).
        this.environment.hot.send({ type: 'custom', event: ASSET_UPDATE_EVENT, data: { urlPath: '/' + relative(publicDir, file).split('\\').join('/') } });
        return [];
      }
      if (!LUA_FILE.test(file)) return;
      const rel = relative(inPublic ? publicDir : root, file);
      const source = await read();
      const update: LuaUpdate = { urlPath: '/' + (isAbsolute(rel) ? file : rel).split('\\').join('/'), source, previous: luaTexts.get(file) };
      luaTexts.set(file, source);
      this.environment.hot.send({ type: 'custom', event: LUA_UPDATE_EVENT, data: update });
      // The runtime restarts the services that run this file; modules that
      // imported its text are not reloaded (no page reload).
      return [];
    },
  };
}

// ---- config -------------------------------------------------------------

function configPlugin(options: LtaskViteOptions): Plugin {
  return {
    name: 'ltask:config',
    config(config: UserConfig) {
      if (options.headers !== false) {
        // Also as `headers`: servers built on vite's (vitest's browser mode) answer before our middleware.
        config.server = { ...config.server, headers: { ...ISOLATION_HEADERS, ...config.server?.headers } };
        config.preview = { ...config.preview, headers: { ...ISOLATION_HEADERS, ...config.preview?.headers } };
      }
      const userWorkerPlugins = config.worker?.plugins;
      config.worker = {
        ...config.worker,
        format: config.worker?.format ?? 'es',
        plugins: () => [fengariPlugin(), sourcesPlugin(), ...(userWorkerPlugins ? userWorkerPlugins() : [])],
      };
      const optimize = (config.optimizeDeps ??= {});
      // The package is served as source, so vite sees its `new Worker(new URL(...))`
      // literals; fengari (CommonJS) is pre-bundled, patched.
      optimize.exclude = [...new Set([...(optimize.exclude ?? []), PACKAGE])];
      optimize.include = [...new Set([...(optimize.include ?? []), `${PACKAGE} > fengari`])];
      const rolldown = (optimize.rolldownOptions ??= {});
      const plugins = rolldown.plugins;
      rolldown.plugins = [fengariPlugin() as never, ...(Array.isArray(plugins) ? plugins : plugins ? [plugins] : [])];
      config.build ??= {};
      config.build.target ??= 'es2022';
      return undefined;
    },
  };
}

/**
 * The plugin: `plugins: [ltask()]` in vite.config.ts.
 */
export function ltask(options: LtaskViteOptions = {}): Plugin[] {
  return [configPlugin(options), fengariPlugin(), sourcesPlugin(), servicesPlugin(), serverPlugin(options)];
}

export default ltask;
