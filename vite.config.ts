import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { withLtask } from './plugin-ltask/src/vite/index.ts';
import { CHROMIUM_ARGS } from './test/support/chromium-args.ts';

/** Cross-origin isolation: SharedArrayBuffer and Atomics.wait in workers need both. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

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

export default defineConfig(
  withLtask({
    // 'mpa': a missing file is a 404, not the index page (services are fetched by path).
    appType: 'mpa',
    server: { headers: isolation },
    preview: { headers: isolation },
    optimizeDeps: {
      include: [
        'three',
        'three/examples/jsm/loaders/GLTFLoader.js',
        'gltfpack',
        'wa-sqlite',
        'wa-sqlite/dist/wa-sqlite.mjs',
        'wa-sqlite/src/VFS.js',
        'inkjs/full',
        'meshoptimizer',
      ],
    },
    build: { target: 'es2022' },
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            include: ['test/**/*.test.ts'],
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
            ]
          : []),
      ],
    },
  }),
);
