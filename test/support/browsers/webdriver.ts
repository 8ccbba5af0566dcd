/**
 * A WebDriver (classic, W3C) client: the few commands the WebKit tests use,
 * over fetch. WebKitGTK's WebKitWebDriver speaks only this protocol; six
 * HTTP calls did not need a client library and its driver downloads.
 */
import { MINIBROWSER, need } from './display.ts';

/** W3C key codes of the keys the tests press. */
const KEYS: Record<string, string> = { Enter: '\uE007', Escape: '\uE00C', F3: '\uE033', ArrowUp: '\uE013', ArrowDown: '\uE015', ArrowLeft: '\uE012', ArrowRight: '\uE014' };

export interface WebDriverSession {
  /** The browser's version, as the driver reports it. */
  readonly version: string;
  url(url: string): Promise<void>;
  /** Runs `fn` in the page (sent as text: no closure) and returns its JSON-able result. */
  execute<T>(fn: () => T): Promise<T>;
  press(key: string): Promise<void>;
  setWindowSize(width: number, height: number): Promise<void>;
  close(): Promise<void>;
}

async function command(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const out = (await res.json()) as { value: { error?: string; message?: string } | unknown };
  const v = out.value as { error?: string; message?: string } | null;
  if (!res.ok || (v && typeof v === 'object' && 'error' in v && v.error)) {
    throw new Error(`[test] WebDriver ${method} ${path}: ${v?.error ?? res.status}: ${v?.message ?? ''}`);
  }
  return out.value;
}

/** A new session (a MiniBrowser window) on the WebKitWebDriver listening on `port`. */
export async function openWebKit(port: number): Promise<WebDriverSession> {
  need(MINIBROWSER, 'MiniBrowser');
  const base = `http://127.0.0.1:${port}`;
  const created = (await command(base, 'POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
  })) as { sessionId: string; capabilities: { browserVersion?: string } };
  const s = `/session/${created.sessionId}`;
  return {
    version: `WebKitGTK ${created.capabilities.browserVersion ?? ''}`.trim(),
    url: async (url) => void (await command(base, 'POST', `${s}/url`, { url })),
    execute: async (fn) => (await command(base, 'POST', `${s}/execute/sync`, { script: `return (${fn.toString()})();`, args: [] })) as never,
    press: async (key) => {
      const value = KEYS[key] ?? key;
      await command(base, 'POST', `${s}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }] });
    },
    setWindowSize: async (width, height) => void (await command(base, 'POST', `${s}/window/rect`, { width, height })),
    close: async () => void (await command(base, 'DELETE', s)),
  };
}
