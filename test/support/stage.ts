/**
 * The one browser set-up of the end-to-end tests: the demo (or another vite
 * config) served the way users run it — the dev server of `npm start`, the
 * production build behind `vite preview`, or both — and Debian's Chromium.
 * `useStage` registers the start in `beforeAll` and the stop in `afterAll`, so
 * every server, browser and build folder a test file starts is gone when it
 * ends, failed or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { build, createServer, preview, type InlineConfig, type PreviewServer, type ViteDevServer } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';

/** What `useStage` starts; its fields are set once `beforeAll` has run. */
export interface Stage {
  browser: Browser;
  /** The dev server (`dev: true`) and its URL. */
  dev: ViteDevServer;
  devUrl: string;
  /** The production build (`built: true`): its folder, the preview server and its URL. */
  built: PreviewServer;
  builtUrl: string;
  outDir: string;
}

/** What to start. A config replaces the demo's `vite.config.ts` for that server. */
export interface StageOptions {
  dev?: boolean | InlineConfig;
  built?: boolean;
  /** Milliseconds for the whole start (default 120,000: a build on a busy 2-core machine). */
  timeoutMs?: number;
}

const DEMO: InlineConfig = { configFile: 'vite.config.ts', logLevel: 'silent' };
const LOCAL = { port: 0, host: '127.0.0.1' };

/** The dev server of `config` (default: the demo's), listening on a free port. */
export async function startDev(config: InlineConfig = DEMO): Promise<ViteDevServer> {
  const server = await createServer({ ...config, server: { ...LOCAL, ...config.server } });
  await server.listen();
  return server;
}

/** `vite build` of the demo into a fresh folder, served by `vite preview`. */
export async function startBuilt(outDir = mkdtempSync(join(tmpdir(), 'ltask-build-'))): Promise<{ server: PreviewServer; outDir: string }> {
  await build({ ...DEMO, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = await preview({ ...DEMO, build: { outDir }, preview: LOCAL });
  return { server, outDir };
}

/** Stops a preview server (vite's own `close` leaves keep-alive sockets to the browser open). */
export const closePreview = (server: PreviewServer | undefined) =>
  new Promise<void>((r) => (server ? server.httpServer.close(() => r()) : r()));

/** Starts what `options` asks for before the file's tests and stops it after them. */
export function useStage(options: StageOptions): Stage {
  const stage = {} as Stage;
  beforeAll(async () => {
    if (options.dev) {
      stage.dev = await startDev(options.dev === true ? DEMO : options.dev);
      stage.devUrl = stage.dev.resolvedUrls!.local[0]!;
    }
    if (options.built) {
      const { server, outDir } = await startBuilt();
      Object.assign(stage, { built: server, outDir, builtUrl: server.resolvedUrls!.local[0]! });
    }
    stage.browser = await launchChromium();
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    await stage.browser?.close();
    await stage.dev?.close();
    await closePreview(stage.built);
    if (stage.outDir) rmSync(stage.outDir, { recursive: true, force: true });
  });
  return stage;
}
