/**
 * Hot reload of Lua sources in the vite dev server: the ltask() plugin sends
 * each saved `.lua` file (LUA_UPDATE_EVENT); the runtime finds the script
 * paths it names, keeps the new text for services started later, and tells
 * every worker, whose Lua services that run it restart with it.
 */
import { LUA_UPDATE_EVENT, type LuaUpdate, type SourceReload, type WorkerConfig } from '../wire/protocol.ts';

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

/** Listens for the dev server's saved `.lua` files; returns what stops listening (nothing to stop outside the dev server). */
export function listenHot(onUpdate: (u: LuaUpdate) => void): () => void {
  const hot = import.meta.hot;
  if (!hot) return () => {};
  hot.on(LUA_UPDATE_EVENT, onUpdate);
  return () => hot.off(LUA_UPDATE_EVENT, onUpdate);
}
