/**
 * One small page interface over the three engines' drivers, for end-to-end
 * tests that run in each: Chromium (playwright-core), Firefox ESR
 * (puppeteer-core over WebDriver BiDi) and WebKitGTK (classic WebDriver:
 * webdriver.ts). Each browser starts what it needs (Xvfb, the driver)
 * and stops it in `close()`. Each page collects its errors and console
 * errors (errors.ts): through the driver's events in Chromium and Firefox,
 * through a collector injected in the page in WebKit.
 */
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../chromium.ts';
import { launchFirefox, startWebKitDriver, startXvfb, type Helper } from './display.ts';
import { collectErrors, collectorProxy, readCollected, type CollectorProxy } from './errors.ts';
import { openWebKit } from './webdriver.ts';

export type Engine = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: Engine[] = ['chromium', 'firefox', 'webkit'];

export interface E2EPage {
  goto(url: string): Promise<void>;
  /** Runs `fn` in the page (no closure: it is sent as text) and returns its JSON-able result. */
  evaluate<T>(fn: () => T): Promise<T>;
  /** Polls `fn` every 100 ms until it returns a truthy value, which it returns; fails after `timeoutMs`. */
  waitFor<T>(fn: () => T, timeoutMs: number): Promise<T>;
  /** A key press on the page (`Enter`, `F3`, `b`). */
  press(key: string): Promise<void>;
  /**
   * The page's errors so far, over every `goto`: `uncaught: <message>` (an
   * uncaught error or unhandled rejection) and `console.error: <text>`.
   */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface E2EBrowser {
  readonly engine: Engine;
  /** The engine's name and version, as the browser reports it. */
  readonly version: string;
  newPage(width: number, height: number): Promise<E2EPage>;
  close(): Promise<void>;
}

const stopAll = (helpers: Helper[]) => Promise.all(helpers.splice(0).map((h) => h.stop()));

async function chromium(): Promise<E2EBrowser> {
  const b = await launchChromium();
  return {
    engine: 'chromium',
    version: `Chromium ${b.version()}`,
    async newPage(width, height) {
      const page = await b.newPage({ viewport: { width, height } });
      const errors = collectErrors(page);
      return {
        errors: async () => [...errors],
        goto: async (url) => void (await page.goto(url)),
        evaluate: (fn) => page.evaluate(fn),
        waitFor: async (fn, timeout) => (await page.waitForFunction(fn, null, { timeout, polling: 100 })).jsonValue() as never,
        press: (key) => page.keyboard.press(key),
        close: () => page.close(),
      };
    },
    close: () => b.close(),
  };
}

async function firefox(): Promise<E2EBrowser> {
  const helpers: Helper[] = [];
  try {
    const x = await startXvfb();
    helpers.push(x);
    const b = await launchFirefox(x.display);
    return {
      engine: 'firefox',
      version: await b.version(),
      async newPage() {
        const page = await b.newPage();
        const errors = collectErrors(page, true);
        return {
          errors: async () => [...errors],
          goto: async (url) => void (await page.goto(url)),
          evaluate: (fn) => page.evaluate(fn) as never,
          waitFor: async (fn, timeout) => (await page.waitForFunction(fn, { timeout, polling: 100 })).jsonValue() as never,
          press: (key) => page.keyboard.press(key as never),
          close: () => page.close(),
        };
      },
      async close() {
        await b.close().catch(() => {});
        await stopAll(helpers);
      },
    };
  } catch (e) {
    await stopAll(helpers);
    throw e;
  }
}

async function webkit(): Promise<E2EBrowser> {
  const helpers: Helper[] = [];
  try {
    const x = await startXvfb();
    helpers.push(x);
    const driver = await startWebKitDriver(x.display);
    helpers.push(driver);
    const open = () => openWebKit(driver.port);
    let version = 'WebKitGTK';
    // One collector proxy per site the pages visit (errors.ts).
    const proxies = new Map<string, Promise<CollectorProxy>>();
    const via = async (url: string) => {
      const u = new URL(url);
      if (!proxies.has(u.origin)) proxies.set(u.origin, collectorProxy(u.origin));
      return (await proxies.get(u.origin)!).origin + u.pathname + u.search + u.hash;
    };
    return {
      engine: 'webkit',
      get version() {
        return version;
      },
      // WebKitWebDriver holds one session at a time: a page is a session.
      async newPage(width, height) {
        const s = await open();
        version = s.version;
        await s.setWindowSize(width, height).catch(() => {});
        // The lines of the pages left by goto; the current page's are read from it.
        const earlier: string[] = [];
        let at: string | null = null;
        const current = async () => {
          if (at === null) return [];
          const lines = await s.execute(readCollected);
          return lines ?? [`no error collector in ${at}`];
        };
        return {
          errors: async () => [...earlier, ...(await current())],
          goto: async (url) => {
            earlier.push(...(await current()));
            at = url;
            await s.url(await via(url));
          },
          evaluate: (fn) => s.execute(fn),
          waitFor: async <T>(fn: () => T, timeout: number) => {
            const until = Date.now() + timeout;
            for (;;) {
              const v = await s.execute(fn);
              if (v) return v;
              if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${fn.toString().slice(0, 120)}`);
              await new Promise((r) => setTimeout(r, 100));
            }
          },
          press: (key) => s.press(key),
          close: () => s.close(),
        };
      },
      async close() {
        await Promise.all([...proxies.values()].map(async (p) => (await p).close()));
        await stopAll(helpers);
      },
    };
  } catch (e) {
    await stopAll(helpers);
    throw e;
  }
}

/** Starts one engine's browser (with its display and driver), or fails with the install command. */
export function launch(engine: Engine): Promise<E2EBrowser> {
  return engine === 'chromium' ? chromium() : engine === 'firefox' ? firefox() : webkit();
}

/**
 * `engine`'s browser for the enclosing describe's tests: launched in its
 * `beforeAll`, closed in its `afterAll`.
 */
export function useBrowser(engine: Engine): E2EBrowser {
  let b: E2EBrowser | undefined;
  beforeAll(async () => {
    b = await launch(engine);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });
  const started = () => {
    if (!b) throw new Error(`[test] the ${engine} browser is not started (useBrowser starts it in beforeAll)`);
    return b;
  };
  return {
    engine,
    get version() {
      return started().version;
    },
    newPage: (width, height) => started().newPage(width, height),
    close: async () => {},
  };
}
