/** Launches Debian's Chromium with playwright-core for end-to-end tests (no browser download). */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Chromium, or fails with the fix when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`[test] Chromium not found at ${path}: install it with "apt-get install -y chromium", or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}
