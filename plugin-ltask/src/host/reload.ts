/**
 * Hot reload in the vite dev server. Lua sources: the ltask() plugin sends
 * each saved `.lua` file (LUA_UPDATE_EVENT); the runtime finds the script
 * paths it names, keeps the new text for services started later, and tells
 * every worker, whose Lua services that run it restart with it. TypeScript
 * services: the plugin sends the URL paths of the service modules a saved
 * file belongs to (SERVICE_UPDATE_EVENT); the runtime finds their names,
 * which from then on import the module anew (`?t=`), and the workers restart
 * the services that run them.
 */
import {
  ASSET_UPDATE_EVENT,
  LUA_UPDATE_EVENT,
  SERVICE_UPDATE_EVENT,
  type LuaUpdate,
  type ServiceUpdate,
  type SourceReload,
  type WorkerConfig,
} from '../wire/protocol.ts';

/**
 * The reload for `update`: the script paths it names among `config.sources`
 * (by URL path, or by its old text for a file the page imported), whose text
 * is replaced there.
 */
export function sourceReload(config: WorkerConfig, update: LuaUpdate): SourceReload {
  const base = config.base.endsWith('/') ? config.base : config.base + '/';
  const urlPath = (p: string) => {
    try {
      return new URL(p, base).pathname;
    } catch {
      return p;
    }
  };
  const paths = Object.keys(config.sources).filter(
    (k) => (update.previous !== undefined && config.sources[k] === update.previous) || urlPath(k) === update.urlPath,
  );
  for (const p of paths) config.sources[p] = update.source;
  return { paths, urlPath: update.urlPath, source: update.source };
}

/**
 * The TypeScript services that `update` names (registered under a URL whose
 * path is one of its paths), by name, with the URL of their new module, which
 * replaces theirs in `config.tsServices` (services spawned later import it).
 */
export function serviceReload(config: WorkerConfig, update: ServiceUpdate): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const [name, url] of Object.entries(config.tsServices)) {
    let u: URL;
    try {
      u = new URL(url, config.base);
    } catch {
      continue;
    }
    if (!update.urlPaths.includes(u.pathname)) continue;
    u.searchParams.set('t', String(update.timestamp));
    config.tsServices[name] = changed[name] = u.href;
  }
  return changed;
}

/**
 * Listens for the dev server's saved `.lua` files and TypeScript service
 * modules; returns what stops listening (nothing to stop outside the dev server).
 */
export function listenHot(onUpdate: (u: LuaUpdate) => void, onServices: (u: ServiceUpdate) => void = () => {}): () => void {
  const hot = import.meta.hot;
  if (!hot) return () => {};
  hot.on(LUA_UPDATE_EVENT, onUpdate);
  hot.on(SERVICE_UPDATE_EVENT, onServices);
  return () => {
    hot.off(LUA_UPDATE_EVENT, onUpdate);
    hot.off(SERVICE_UPDATE_EVENT, onServices);
  };
}

/**
 * Calls `onAsset` with the URL path of each asset file saved under `public/`
 * (the ltask() vite plugin's ASSET_UPDATE_EVENT, in the dev server only).
 * Returns the function that stops listening.
 */
export function listenAssets(onAsset: (urlPath: string) => void): () => void {
  const hot = import.meta.hot;
  if (!hot) return () => {};
  const f = (d: { urlPath: string }) => onAsset(d.urlPath);
  hot.on(ASSET_UPDATE_EVENT, f);
  return () => hot.off(ASSET_UPDATE_EVENT, f);
}
