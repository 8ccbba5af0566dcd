/** Launches Debian's Chromium with playwright-core for end-to-end tests (no browser download). */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium-args.ts';

export { CHROMIUM_ARGS };

/** Starts Chromium, or fails with the fix when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`[test] Chromium not found at ${path}: install it with "apt-get install -y chromium", or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}
