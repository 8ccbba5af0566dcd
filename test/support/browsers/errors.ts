/**
 * The errors a page shows, in the three engines, as one list of lines:
 * `uncaught: <name>: <message>` for an uncaught error or an unhandled
 * rejection (`uncaught: <value>` for a thrown value that is not an Error), and
 * `console.error: <text>` for a console message of level error (the runtime
 * writes its services' error logs there). A test asserts the list is empty,
 * or equals the errors it provokes.
 *
 * Chromium (playwright-core) and Firefox (puppeteer-core over WebDriver BiDi)
 * report both through their drivers' events: `collectErrors(page)`. WebKit's
 * classic WebDriver reports neither, so there a script is injected in the page
 * (`installCollector`): `collectorProxy` serves the site through a local proxy
 * that puts it first in every HTML page's `<head>`, before the page's own
 * scripts, and the test reads the list back with `readCollected`.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Page as PwPage } from 'playwright-core';
import type { Page as PpPage } from 'puppeteer-core';

/**
 * The page's errors and console errors from the driver's events, as they come
 * (Chromium; Firefox with `bidi`: over WebDriver BiDi an error's message is
 * the browser's whole line, its name included).
 */
export function collectErrors(page: PwPage | PpPage, bidi = false): string[] {
  const errors: string[] = [];
  const on = page.on.bind(page) as unknown as (event: string, f: (x: never) => void) => void;
  const show = (e: unknown) => (!(e instanceof Error) ? String(e) : bidi || !e.name ? e.message : `${e.name}: ${e.message}`);
  on('pageerror', (e: unknown) => errors.push(`uncaught: ${show(e)}`));
  on('console', (m: { type(): string; text(): string; location(): { url?: string } }) => {
    if (m.type() !== 'error') return;
    // The browser's own line for a failed load names the URL only in its location.
    const failed = /^Failed to load resource/.test(m.text()) ? (m.location().url ?? '') : '';
    // Chromium asks every site for /favicon.ico by itself; the test pages have none.
    if (failed && new URL(failed).pathname === '/favicon.ico') return;
    errors.push(`console.error: ${m.text()}${failed && ` (${failed})`}`);
  });
  return errors;
}

/**
 * The injected collector. It runs in the page, sent as text (no closure): it
 * keeps the lines in `globalThis.__e2eErrors` and leaves `console.error` working.
 */
export function installCollector(): void {
  const g = globalThis as unknown as { __e2eErrors?: string[] };
  if (g.__e2eErrors) return;
  const list: string[] = (g.__e2eErrors = []);
  const text = (v: unknown) => {
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (typeof v === 'string') return v;
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };
  addEventListener('error', (e) => list.push(`uncaught: ${e.error != null ? text(e.error) : e.message}`));
  addEventListener('unhandledrejection', (e) => list.push(`uncaught: ${text(e.reason)}`));
  const error = console.error;
  console.error = function (...args: unknown[]) {
    list.push(`console.error: ${args.map(text).join(' ')}`);
    return error.apply(this, args);
  };
}

/** Reads the injected collector's lines back (run in the page); `null` where no collector was injected. */
export const readCollected = (): string[] | null => (globalThis as unknown as { __e2eErrors?: string[] }).__e2eErrors ?? null;

const SCRIPT = `<script>(${installCollector.toString()})();</script>`;

/** `html` with the collector first in its `<head>` (or first in the document). */
export function inject(html: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + SCRIPT + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + SCRIPT + html.slice(at);
}

export interface CollectorProxy {
  /** The proxy's origin (`http://127.0.0.1:PORT`): the target's paths, with the collector in every HTML page. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A proxy on a free local port in front of `target` (an http origin): every
 * request goes through unchanged but for its Host header (and no compression,
 * so that HTML can be read); an HTML answer gets the collector; WebSocket
 * upgrades (the dev server's hot reload) are piped both ways.
 */
export async function collectorProxy(target: string): Promise<CollectorProxy> {
  const t = new URL(target);
  const port = Number(t.port || 80);
  const sockets = new Set<Socket>();
  const headersFor = (h: IncomingHttpHeaders): IncomingHttpHeaders => {
    const out: IncomingHttpHeaders = { ...h, host: t.host };
    delete out['accept-encoding'];
    return out;
  };
  const server = createServer((req, res) => {
    const up = request({ host: t.hostname, port, method: req.method, path: req.url, headers: headersFor(req.headers) }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (!/^text\/html\b/i.test(answer.headers['content-type'] ?? '')) {
        res.writeHead(status, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.from(inject(Buffer.concat(chunks).toString('utf8')));
        const headers = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(status, headers);
        res.end(body);
      });
    });
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`[test] collector proxy: ${e.message}`);
    });
    req.pipe(up);
  });
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    const upstream = connect(port, t.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? t.host : req.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    }
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: own } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${own}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
