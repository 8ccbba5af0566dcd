/**
 * The tests: a "node" project (real worker_threads) and the browser suite in
 * three engines: "browser" (Debian's Chromium, playwright-core), "firefox"
 * (Firefox ESR, puppeteer-core over WebDriver BiDi) and "webkit" (WebKitGTK's
 * MiniBrowser over WebKitWebDriver). The engines run one after another
 * (groupOrder): three browsers at once on two cores make timing flaky.
 */
import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig } from 'vitest/config';
import app from './vite.config.ts';
import { CHROMIUM_ARGS } from './test/support/chromium-args.ts';
import { firefox, webkit } from './test/support/browsers/providers.ts';
import { FIREFOX, MINIBROWSER, WEBKIT_DRIVER, XVFB, need } from './test/support/browsers/display.ts';

/** Debian's Chromium drives the browser tests; no browser is downloaded. */
function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `[test] Chromium not found at ${path}. Browser tests need it: ` +
        `install it with "apt-get install -y chromium" (Debian), or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return path;
}

const wantsBrowser = !process.argv.some((a, i) => a.startsWith('--project') && /node$/.test(a.includes('=') ? a : (process.argv[i + 1] ?? '')));

export default mergeConfig(
  app,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
            exclude: ['test/**/*.browser.test.ts'],
            environment: 'node',
            testTimeout: 20_000,
            hookTimeout: 20_000,
          },
        },
        ...(wantsBrowser
          ? [
              {
                extends: true as const,
                test: {
                  name: 'browser',
                  include: ['test/**/*.browser.test.ts'],
                  testTimeout: 30_000,
                  browser: {
                    enabled: true,
                    headless: true,
                    provider: playwright({
                      launchOptions: {
                        executablePath: chromiumPath(),
                        args: CHROMIUM_ARGS,
                      },
                    }),
                    instances: [{ browser: 'chromium' as const }],
                  },
                },
              },
              ...(
                [
                  ['firefox', firefox, () => FIREFOX()],
                  ['webkit', webkit, () => (WEBKIT_DRIVER(), need(MINIBROWSER, 'MiniBrowser'))],
                ] as const
              ).map(([name, provider, check], i) => {
                check();
                XVFB();
                return {
                  extends: true as const,
                  test: {
                    name,
                    include: ['test/**/*.browser.test.ts'],
                    testTimeout: 60_000,
                    sequence: { groupOrder: i + 1 },
                    browser: {
                      enabled: true,
                      headless: true,
                      screenshotFailures: false,
                      provider: provider(),
                      instances: [{ browser: name }],
                    },
                  },
                };
              }),
            ]
          : []),
      ],
    },
  }),
);
