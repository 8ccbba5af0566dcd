// What a new user does: pack both packages, make a brand-new vite + three +
// TypeScript project from create-vite's vanilla-ts files (test/e2e/install/template,
// tsconfig unchanged), install the tarballs, write the files of
// docs/getting-started.md exactly as the doc shows them, then `npm run build`
// (tsc + vite build), `vite preview`, and look at the page in Chromium.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';

const repo = resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'ltask-install-'));
const project = join(work, 'my-game');
const packs = join(work, 'packs');
let browser: Browser | undefined;

/** Runs a command, failing with its output. */
function run(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: '' } });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${x.stdout ?? ''}\n${x.stderr ?? ''}\n${x.message}`);
  }
}

/** The files docs/getting-started.md shows: fenced blocks with `title="path"`. */
export function docFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

const doc = readFileSync(join(repo, 'docs/getting-started.md'), 'utf8');
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  run('npm', ['run', 'build:packages', '--silent'], repo);
  mkdirSync(packs);
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packs, '-w', 'engine', '-w', 'plugin-ltask'], repo)) as { name: string; filename: string; files: { path: string }[] }[];
  for (const p of out) tarballs[p.name] = join(packs, p.filename.replace(/^@/, '').replace('/', '-'));
  for (const p of out) tarballs[`${p.name}:files`] = p.files.map((f) => f.path).join('\n');

  cpSync(join(repo, 'test/e2e/install/template'), project, { recursive: true });
  for (const [path, text] of docFiles(doc)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  // Step 1 of the doc, with the tarballs for the package names.
  const install = /```sh\n(npm install @ltask-web\/engine @ltask-web\/plugin-ltask three)\n```/.exec(doc);
  if (!install) throw new Error('docs/getting-started.md: the install command of step 1 is not where the test expects it');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarballs['@ltask-web/engine']!, tarballs['@ltask-web/plugin-ltask']!, 'three'], project);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  servers.forEach(stop);
  rmSync(work, { recursive: true, force: true });
});

const servers: ChildProcess[] = [];

/** Starts `vite [command]` in the project, opens the page in Chromium, checks the doc's expected output. */
async function serveAndCheck(command: string[]): Promise<void> {
  const port = 4300 + ((process.pid + servers.length * 7) % 500);
  const server = spawn(join(project, 'node_modules/.bin/vite'), [...command, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: project,
    detached: true,
    stdio: 'ignore',
  });
  servers.push(server);
  try {
    const url = `http://127.0.0.1:${port}/`;
    for (let t = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const res = await fetch(url).catch(() => null);
      if (res?.ok) {
        expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
        break;
      }
      if (Date.now() - t > 30_000) throw new Error(`vite ${command.join(' ')} did not answer`);
    }
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (document.getElementById('out')?.textContent ?? '').split('\n').length >= 3, null, { timeout: 45_000 });
    const lines = (await page.textContent('#out'))!.trim().split('\n').sort();
    // The doc's expected output, in either order.
    const expected = /The page shows:\n\n```text\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n').sort();
    expect(lines).toEqual(expected);
    expect(errors).toEqual([]);
    await page.close();
  } finally {
    stop(server);
  }
}

function stop(p: ChildProcess): void {
  try {
    if (p.pid && p.exitCode === null) process.kill(-p.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

describe('install from tarballs into a fresh vite + three + TypeScript project', () => {
  it('packs built JavaScript and .d.ts, no TypeScript sources', () => {
    for (const name of ['@ltask-web/engine', '@ltask-web/plugin-ltask']) {
      const files = tarballs[`${name}:files`]!.split('\n');
      expect(files.some((f) => /^dist\/.+\.js$/.test(f))).toBe(true);
      expect(files.some((f) => /^dist\/.+\.d\.ts$/.test(f))).toBe(true);
      expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    }
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@ltask-web/plugin-ltask/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies)).toEqual(['fengari']); // no tsx at run time
  });

  it('type-checks with create-vite tsconfig unchanged and builds (npm run build = tsc && vite build)', () => {
    expect(readFileSync(join(project, 'tsconfig.json'), 'utf8')).toBe(readFileSync(join(repo, 'test/e2e/install/template/tsconfig.json'), 'utf8'));
    run('npm', ['run', 'build'], project);
    const assets = readdirSync(join(project, 'dist/assets'));
    expect(assets.some((f) => f.startsWith('concat.ts.ltask-carrier-'))).toBe(true);
  }, 240_000);

  it('bundles the patched fengari, while the installed fengari is not patched', () => {
    const src = readFileSync(join(project, 'node_modules/fengari/src/ldo.js'), 'utf8');
    expect(src).toMatch(/delete \w+\.stack\[/); // nobody patched the user's node_modules
    const chunks = readdirSync(join(project, 'dist/assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(project, 'dist/assets', f), 'utf8'))
      .filter((c) => c.includes('FENGARICONF'));
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) expect(c).not.toMatch(/delete [\w$]+\.stack\[/);
  });

  it('npx ltask runs a Lua main from the installed package (no tsx in the project)', () => {
    expect(() => run('node', ['-e', 'import("tsx/esm/api")'], project, 20_000)).toThrow();
    writeFileSync(join(project, 'main.lua'), 'print("hello from " .. _VERSION)\n');
    expect(run('npx', ['ltask', 'main.lua'], project, 60_000)).toBe('hello from Lua 5.3\n');
  });

  it('vite preview: the Lua service answers and the native loader reads through io', async () => {
    await serveAndCheck(['preview']);
  }, 60_000);

  it('vite (dev server): the same page works', async () => {
    await serveAndCheck([]);
  }, 90_000);
});
