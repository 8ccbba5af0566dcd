// What a new user does: pack both packages, make a brand-new vite + three +
// TypeScript project from create-vite's vanilla-ts files (test/e2e/install/template,
// tsconfig unchanged), install the tarballs (and @types/three, as the doc says),
// write the files of docs/getting-started.md exactly as the doc shows them, then
// `npm run build` (tsc + vite build), `vite preview` and the dev server, and look
// at the page in Chromium: the Lua service, the native loader, the TypeScript
// service called through a typed proxy from the page and by name from Lua, a
// Lua service that spawns a cube through the world and turns it every tick, a
// state and an input action that pause the game (and with it the service's ticks), the
// Lua service's print in the browser console; and nothing that the build, the
// servers or the console print names the packages (no externalized Node
// built-in from fengari, no source map pointing at missing sources).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';
import { packageNoise } from '../../support/noise.ts';
import { collectErrors } from '../../support/browsers/errors.ts';

const repo = resolve(import.meta.dirname, '../../..');
// No "ltask" in the path: the output is searched for the packages' names.
const work = mkdtempSync(join(tmpdir(), 'vite-install-'));
const project = join(work, 'my-game');
const packs = join(work, 'packs');
let browser: Browser | undefined;

const env = { ...process.env, NODE_ENV: '', FORCE_COLOR: '0', NO_COLOR: '1' };

/** Runs a command, failing with its output. */
function run(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env });
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
  if (!doc.includes('```sh\nnpm install -D @types/three\n```')) throw new Error('docs/getting-started.md: the @types/three command of step 1 is not where the test expects it');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '-D', '@types/three'], project);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  servers.forEach(stop);
  rmSync(work, { recursive: true, force: true });
});

const servers: ChildProcess[] = [];

/** Runs a command; what it printed, stdout and stderr interleaved as a terminal shows them (vite warns on stderr). */
function runBoth(cmd: string, args: string[], cwd: string): string {
  return execFileSync('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args], { cwd, encoding: 'utf8', timeout: 240_000, env });
}

/** The doc's expected page output, sorted (the answers come in any order). */
const expected = () => /The page shows:\n\n```text\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n').sort();

/**
 * Starts `vite [command]` in the project, opens the page in Chromium, checks
 * the doc's expected output; what the server and the browser console printed.
 */
async function serveAndCheck(command: string[]): Promise<{ server: string; console: string[] }> {
  const port = 4300 + ((process.pid + servers.length * 7) % 500);
  const server = spawn(join(project, 'node_modules/.bin/vite'), [...command, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: project,
    detached: true,
    env,
  });
  servers.push(server);
  const printed: string[] = [];
  server.stdout!.on('data', (d: Buffer) => printed.push(String(d)));
  server.stderr!.on('data', (d: Buffer) => printed.push(String(d)));
  try {
    const url = `http://127.0.0.1:${port}/`;
    for (let t = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const res = await fetch(url).catch(() => null);
      if (res?.ok) {
        expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
        break;
      }
      if (Date.now() - t > 30_000) throw new Error(`vite ${command.join(' ')} did not answer:\n${printed.join('')}`);
    }
    const page = await browser!.newPage();
    const errors = collectErrors(page);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    await page.goto(url);
    const lines = expected().length;
    await page.waitForFunction((n) => (document.getElementById('out')?.textContent ?? '').trim().split('\n').length >= n, lines, { timeout: 45_000 });
    expect((await page.textContent('#out'))!.trim().split('\n').sort()).toEqual(expected());
    // Step 7: Space (an action) enters the paused state; the cube the Lua service turns stops.
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (document.getElementById('out')?.textContent ?? '').includes('paused: the cube stops'), null, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await new Promise((r) => setTimeout(r, 500)); // the server's last lines
    await page.close();
    return { server: printed.join(''), console: logs };
  } finally {
    stop(server);
  }
}

/** The Lua service's `print`, in the browser console as `[hello:<address>] hello.lua is up`, at level log. */
const printedByService = (logs: string[]) => logs.filter((l) => /^log: \[hello:\d+\] hello\.lua is up$/.test(l));

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

  it('type-checks with create-vite tsconfig unchanged and builds (npm run build = tsc && vite build), printing nothing about the packages', () => {
    expect(readFileSync(join(project, 'tsconfig.json'), 'utf8')).toBe(readFileSync(join(repo, 'test/e2e/install/template/tsconfig.json'), 'utf8'));
    const output = runBoth('npm', ['run', 'build'], project);
    expect(output).toMatch(/built in/);
    expect(packageNoise(output)).toEqual([]);
    const dir = join(project, 'dist/assets');
    const assets = readdirSync(dir);
    expect(assets.some((f) => f.startsWith('concat.ts.ltask-carrier-'))).toBe(true);
    expect(assets.some((f) => /^score-.+\.js$/.test(f))).toBe(true); // the TypeScript service, a chunk of its own
    const sizes = assets
      .filter((f) => f.endsWith('.js'))
      .map((f) => ({ f, bytes: statSync(join(dir, f)).size, gzip: gzipSync(readFileSync(join(dir, f))).length }));
    const runtime = sizes.filter((x) => /^(scheduler-worker|carrier-worker|io|concat\.ts\.ltask-carrier)-/.test(x.f));
    expect(runtime.length).toBe(4);
    for (const x of runtime) expect(x.bytes, x.f).toBeLessThan(500_000);
    // fengari's Node-only dependencies are not in the scheduler worker.
    const vm = readFileSync(join(dir, runtime.find((x) => x.f.startsWith('scheduler-worker-'))!.f), 'utf8');
    expect(vm.includes('FENGARICONF')).toBe(true);
    expect(vm.includes('support interactive reading from TTY')).toBe(false); // readline-sync
    expect(vm.includes('Could not get a unique tmp filename')).toBe(false); // tmp
    console.log(sizes.map((x) => `${x.f}: ${x.bytes} B, gzip ${x.gzip} B`).join('\n'));
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

  it("vite preview: the Lua service, the native loader and the TypeScript service answer; the service's print is in the console", async () => {
    const { server, console: logs } = await serveAndCheck(['preview']);
    expect(packageNoise(server)).toEqual([]);
    expect(printedByService(logs)).toHaveLength(1);
    expect(packageNoise(logs.join('\n'))).toEqual([]);
  }, 90_000);

  it('vite (dev server): the same page; no source map warning, nothing naming the packages, on the server or in the console', async () => {
    rmSync(join(project, 'node_modules/.vite'), { recursive: true, force: true }); // the dependency optimizer runs too
    const { server, console: logs } = await serveAndCheck([]);
    expect(server).toMatch(/ready in/);
    expect(packageNoise(server)).toEqual([]);
    expect(printedByService(logs)).toHaveLength(1);
    expect(packageNoise(logs.join('\n'))).toEqual([]);
  }, 120_000);
});
