/** Finds service scripts and Lua modules along `?`-template search paths. */
import type { Platform } from '../platform/types.ts';
import type { WorkerConfig } from '../wire/protocol.ts';
import { fromLua54 } from './lua/compat.ts';

export interface Found {
  source: string;
  path: string;
}

export class SourceLoader {
  private cache = new Map<string, Promise<Found>>();

  constructor(
    private readonly config: WorkerConfig,
    private readonly platform: Platform,
  ) {}

  /** Forgets what was found: the next lookups read the sources again (hot reload). */
  forget(): void {
    this.cache.clear();
  }

  /** The URL path a found script's path resolves to (`/service/hello.lua`). */
  urlPath(path: string): string {
    try {
      return new URL(path, this.config.base.endsWith('/') ? this.config.base : this.config.base + '/').pathname;
    } catch {
      return path;
    }
  }

  /**
   * Looks a name up in the service path (`service`) or the module path (`lua`).
   * The source comes back ready for fengari (Lua 5.4's `<const>` dropped; see lua/compat.ts).
   */
  find(kind: 'service' | 'lua', name: string): Promise<Found> {
    const key = `${kind}:${name}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.search(kind, name).then(({ source, path }) => ({ source: fromLua54(source, path), path }));
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private async search(kind: 'service' | 'lua', name: string): Promise<Found> {
    const templates = (kind === 'service' ? this.config.servicePath : this.config.luaPath).split(';').filter(Boolean);
    const file = name.replace(/\./g, '/');
    // A name stays inside its search path: no empty or parent segments (".." becomes "//"),
    // no percent-encoding, query, fragment, scheme or backslash that a URL or path would reinterpret.
    if (!name || file.split('/').some((seg) => seg === '') || /[%?#\\:\p{Cc}]/u.test(name)) {
      throw new Error(`${kind === 'service' ? 'service' : 'module'} name '${name}' is not valid: dot-separated names of letters, digits, _ and - stay inside the search path`);
    }
    const tried: string[] = [];
    for (const t of templates) {
      const path = t.replace(/\?/g, file);
      const mem = this.config.sources[path];
      if (mem !== undefined) return { source: mem, path };
      try {
        return { source: await this.platform.readText(path, this.config.base), path };
      } catch (e) {
        tried.push(`no file '${path}' (${(e as Error).message.split('\n')[0]})`);
      }
    }
    const what = kind === 'service' ? 'service' : 'module';
    throw new Error(`${what} '${name}' not found:\n\t${tried.join('\n\t') || `no ${kind} path set`}`);
  }
}
