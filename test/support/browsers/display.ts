/**
 * Processes the Firefox and WebKit tests need: an X display (Xvfb: WebGL in
 * Firefox, and WebKitGTK's MiniBrowser has no headless mode) and WebKit's
 * WebDriver. Each is started by the test run and stopped by it, even on
 * failure; a missing program fails with the command that installs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const INSTALL = 'apt-get install -y --no-install-recommends firefox-esr webkit2gtk-driver xvfb xauth';

/** Fails with the install command when `path` is missing. */
export function need(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`[test] ${what} not found at ${path}: install it with "${INSTALL}" (Debian).`);
  return path;
}

/** A started helper process. */
export interface Helper {
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// A test run that ends abruptly still takes its helpers with it.
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function track(proc: ChildProcess): Helper {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return {
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      }),
  };
}

/** Starts Xvfb on a free display; resolves to `:N` once it accepts clients. */
export async function startXvfb(): Promise<Helper & { display: string }> {
  const xvfb = XVFB();
  // -displayfd: Xvfb picks a free display and writes its number to fd 3 when ready.
  const proc = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const h = track(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    proc.once('exit', (code) => reject(new Error(`[test] Xvfb exited (${code}) before it was ready: ${err.trim()}`)));
    setTimeout(() => reject(new Error(`[test] Xvfb did not start within 10 s: ${err.trim()}`)), 10_000).unref();
  });
  return { ...h, display };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts WebKitGTK's WebDriver on a free port, on `display`. The browser it
 * starts inherits its environment: `JSC_useSharedArrayBuffer=1` is what makes
 * WebKitGTK expose SharedArrayBuffer to cross-origin isolated pages.
 */
export async function startWebKitDriver(display: string, sharedArrayBuffer = true): Promise<Helper & { port: number }> {
  const driver = WEBKIT_DRIVER();
  const port = await freePort();
  const proc = spawn(driver, [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DISPLAY: display, ...(sharedArrayBuffer ? { JSC_useSharedArrayBuffer: '1' } : {}) },
  });
  const h = track(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  // Ready when /status answers.
  const until = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`[test] WebKitWebDriver exited (${proc.exitCode}): ${err.trim()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await h.stop();
      throw new Error(`[test] WebKitWebDriver did not answer on port ${port} within 10 s: ${err.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...h, port };
}

// The programs, found or failed with the install command (paths can be set in the environment).
export const FIREFOX = () => need(process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', 'Firefox ESR');
export const XVFB = () => need(process.env.XVFB_PATH ?? '/usr/bin/Xvfb', 'Xvfb');
export const WEBKIT_DRIVER = () => need(process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver', 'WebKitWebDriver');
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Firefox ESR over WebDriver BiDi (puppeteer-core; no geckodriver) on `display`. */
export async function launchFirefox(display: string) {
  const puppeteer = (await import('puppeteer-core')).default;
  // Firefox ESR 140's BiDi has no viewport emulation: the window's size stands.
  return puppeteer.launch({ browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX(), headless: true, defaultViewport: null, env: { ...process.env, DISPLAY: display } });
}
