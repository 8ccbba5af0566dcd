/**
 * TypeScript services as worker modules: `import score from './score.ts?ltask-service'`
 * gives a bundle (`{ service: url }`) whose URL is a JavaScript ES module with
 * the service's factory as its default export, for `services: { score }`.
 *
 * - Dev server: the URL is the module as vite serves it (TypeScript
 *   transformed, imports resolved), imported by the scheduler worker.
 * - Build: the module is a chunk of its own (`preserveSignature: 'strict'`,
 *   so the default export stays), with its imports; the page keeps only the
 *   chunk's URL. The chunks a service reaches run on a worker: their dynamic
 *   imports are not preloaded with `<link>` tags (a worker has no document),
 *   and a warning names the runtime's host code when a service pulls it in.
 * - Hot reload: saving the service's file, or a module it imports, sends
 *   SERVICE_UPDATE_EVENT with the URL paths of the services concerned; the
 *   runtime restarts them at their addresses. The page is not reloaded for a
 *   module only services import.
 */
import { basename, extname, relative } from 'node:path';
import type { EnvironmentModuleNode, HotUpdateOptions, Plugin, Rolldown, UserConfig } from 'vite';
import { SERVICE_UPDATE_EVENT, type ServiceUpdate } from '../wire/protocol.ts';

export type { ServiceUpdate };

const SERVICE_QUERY = '?ltask-service';
const PACKAGE = '@ltask-web/plugin-ltask';
/** A module of the runtime's host (the page's side), in the sources or in the package. */
const HOST_CODE = /plugin-ltask[\\/](src|dist)[\\/]host[\\/]/;

/** How a service's module is written, for the error of one that does not export it. */
const FACTORY_HINT = "a service module's default export is its factory: `export default defineService((ctx) => ({ ...handlers }))` (defineService from '@ltask-web/plugin-ltask/service')";

/** What the plugin keeps between its hooks. */
interface ServicesState {
  /** Service modules (file paths) imported with `?ltask-service`. */
  readonly entries: Set<string>;
  /** Build: the chunk reference of each service module. */
  readonly chunks: Map<string, string>;
  /** Build: the chunks a service reaches (its own, what it imports, what it imports later): they run on a worker. */
  readonly workerSide: Set<string>;
  root: string;
  /** The dev server's base path (`/`, or `/app/`). */
  base: string;
}

/** The plugin: resolves and loads `?ltask-service` imports, emits their chunks, restarts services on save. */
export function servicesPlugin(): Plugin {
  const state: ServicesState = { entries: new Set(), chunks: new Map(), workerSide: new Set(), root: process.cwd(), base: '/' };
  return {
    name: 'ltask:services',
    enforce: 'pre',
    config(config) {
      skipWorkerPreload(config, state.workerSide);
    },
    configResolved(config) {
      state.root = config.root;
      state.base = config.base.startsWith('/') ? config.base : '/';
    },
    buildStart() {
      state.chunks.clear();
    },
    async resolveId(source, importer, options) {
      if (!source.endsWith(SERVICE_QUERY)) return null;
      const target = source.slice(0, -SERVICE_QUERY.length);
      const r = await this.resolve(target, importer, { skipSelf: true });
      if (!r) this.error(`[ltask] service module "${target}" not found (imported with ?ltask-service from ${importer ?? 'the config'})`);
      // The dev server's dependency scan (vite flags its calls `scan`) crawls the
      // service module itself, so that its npm imports are optimized with the
      // page's at startup, not discovered once a worker imports it.
      if ((options as { scan?: boolean }).scan) return r.id.split('?')[0];
      return r.id.split('?')[0] + SERVICE_QUERY;
    },
    load(id) {
      if (!id.endsWith(SERVICE_QUERY)) return null;
      const file = id.slice(0, -SERVICE_QUERY.length);
      state.entries.add(file);
      if (this.environment.mode === 'dev') {
        // The module itself, as the dev server serves it: this module's own URL without the query.
        return `export default { service: import.meta.url.split('?')[0] };\n`;
      }
      const ref = this.emitFile({ type: 'chunk', id: file, preserveSignature: 'strict', name: basename(file, extname(file)) });
      state.chunks.set(file, ref);
      return `export default { service: import.meta.ROLLUP_FILE_URL_${ref} };\n`;
    },
    generateBundle(_, bundle) {
      const names = new Map([...state.chunks].map(([file, ref]) => [file, this.getFileName(ref)]));
      const problem = checkChunks(bundle, names, state);
      if (problem?.error) this.error(problem.error);
      if (problem?.warning) this.warn(problem.warning);
    },
    hotUpdate(options) {
      if (this.environment.name !== 'client' || state.entries.size === 0) return;
      const { modules, update } = servicesUpdate(options, state);
      if (update) {
        for (const m of update.invalidate) this.environment.moduleGraph.invalidateModule(m, new Set(), options.timestamp, true);
        this.environment.hot.send({ type: 'custom', event: SERVICE_UPDATE_EVENT, data: update.event });
      }
      return modules;
    },
  };
}

/**
 * vite preloads a dynamic import's chunks with `<link>` tags, from a helper
 * that reads `document`: the chunks a service reaches get no preload list, so
 * their dynamic imports load their chunks as imported (the user's own
 * `resolveDependencies` still decides for the page's chunks).
 */
function skipWorkerPreload(config: UserConfig, workerSide: ReadonlySet<string>): void {
  const preload = config.build?.modulePreload;
  if (preload === false) return;
  const user = typeof preload === 'object' ? preload : {};
  const resolve = user.resolveDependencies;
  (config.build ??= {}).modulePreload = {
    ...user,
    resolveDependencies: (file, deps, context) => (workerSide.has(context.hostId) ? [] : resolve ? resolve(file, deps, context) : deps),
  };
}

/**
 * After bundling: every service chunk keeps a default export (else the
 * error), the chunks services reach are noted in `state.workerSide`, and a
 * warning when they hold the runtime's host code.
 */
function checkChunks(bundle: Rolldown.OutputBundle, names: ReadonlyMap<string, string>, state: ServicesState): { error?: string; warning?: string } | null {
  state.workerSide.clear();
  for (const [file, name] of names) {
    const chunk = bundle[name];
    if (chunk?.type === 'chunk' && !chunk.exports.includes('default')) {
      return { error: `[ltask] ${relative(state.root, file)} is imported with ?ltask-service but has no default export: ${FACTORY_HINT}` };
    }
  }
  let host: string | undefined;
  const todo = [...names.values()];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    const chunk = bundle[name];
    if (state.workerSide.has(name) || chunk?.type !== 'chunk') continue;
    state.workerSide.add(name);
    host ??= chunk.moduleIds.find((id) => HOST_CODE.test(id));
    todo.push(...chunk.imports, ...chunk.dynamicImports);
  }
  if (host === undefined) return null;
  return {
    warning:
      `[ltask] a TypeScript service's chunks hold the runtime's host code (${relative(state.root, host)}), which it loads on its worker for nothing: ` +
      `a service module imports from '${PACKAGE}/service' (defineService, the types), not from '${PACKAGE}'`,
  };
}

/**
 * A saved file in the dev server: the services it belongs to (the event to
 * send, and the modules to invalidate so that the next import of a service
 * module brings the new text), and the modules vite's own update goes on with
 * (undefined: all of them). A module only services import, and the bundle
 * modules, which only name a service, update no page module.
 */
function servicesUpdate(
  { modules, timestamp }: HotUpdateOptions,
  state: ServicesState,
): { modules: EnvironmentModuleNode[] | undefined; update: { event: ServiceUpdate; invalidate: EnvironmentModuleNode[] } | null } {
  const urlPaths = new Set<string>();
  const keep: EnvironmentModuleNode[] = [];
  const invalidate: EnvironmentModuleNode[] = [];
  let dropped = false;
  for (const mod of modules) {
    if (mod.id?.endsWith(SERVICE_QUERY)) {
      dropped = true;
      continue;
    }
    const { services, elsewhere } = servicesOf(mod, state.entries);
    if (services.length > 0) {
      for (const s of services) urlPaths.add(state.base + s.url.replace(/^\//, ''));
      invalidate.push(mod);
    }
    if (services.length === 0 || elsewhere) keep.push(mod);
    else dropped = true;
  }
  const update = urlPaths.size > 0 ? { event: { urlPaths: [...urlPaths], timestamp }, invalidate } : null;
  return { modules: dropped ? keep : undefined, update };
}

/**
 * The service modules that `mod` is, or that import it (directly or not), and
 * whether anything else imports it (a page module: vite's own update applies).
 */
function servicesOf(mod: EnvironmentModuleNode, entries: ReadonlySet<string>): { services: EnvironmentModuleNode[]; elsewhere: boolean } {
  const services: EnvironmentModuleNode[] = [];
  let elsewhere = false;
  const seen = new Set<EnvironmentModuleNode>();
  const todo = [mod];
  for (let m = todo.pop(); m; m = todo.pop()) {
    if (seen.has(m)) continue;
    seen.add(m);
    // A service module is imported by its worker, by URL (no edge in the graph).
    const service = m.file !== null && entries.has(m.file) && m.id === m.file;
    if (service) services.push(m);
    else if (m.importers.size === 0) elsewhere = true;
    todo.push(...m.importers);
  }
  return { services, elsewhere };
}
