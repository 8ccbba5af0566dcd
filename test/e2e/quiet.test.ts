// A user's build and dev server stay quiet about the packages: pack both,
// make a fresh vite + TypeScript project from create-vite's vanilla-ts files
// (test/e2e/install/template) with the page of docs/getting-started.md (its
// Lua service prints a line), then `vite build`, `vite preview` and the dev
// server with the page open in Chromium. Nothing they print names the
// packages, fengari or its dependencies, or a source map; the service's print
// reaches the browser console as `[hello:<address>] ...`.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { packageNoise } from '../support/noise.ts';

const repo = resolve(import.meta.dirname, '../..');
// No "ltask" in the path: the output is searched for the packages' names.
const work = mkdtempSync(join(tmpdir(), 'vite-quiet-'));
const project = join(work, 'my-game');
const env = { ...process.env, NODE_ENV: '', FORCE_COLOR: '0', NO_COLOR: '1' };
let browser: Browser | undefined;

/** Runs a command; its stdout and stderr together, or a failure with them. */
function run(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${x.stdout ?? ''}\n${x.stderr ?? ''}\n${x.message}`);
  }
}

/** Runs a command; what it printed, stdout and stderr interleaved as a terminal shows them (vite warns on stderr). */
function runBoth(cmd: string, args: string[], cwd: string): string {
  return execFileSync('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args], { cwd, encoding: 'utf8', timeout: 240_000, env });
}

const doc = readFileSync(join(repo, 'docs/getting-started.md'), 'utf8');
const PRINT = 'print("hello.lua is up")\n';

beforeAll(async () => {
  run('npm', ['run', 'build:packages', '--silent'], repo);
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packs, '-w', 'engine', '-w', 'plugin-ltask'], repo)) as { filename: string }[];
  cpSync(join(repo, 'test/e2e/install/template'), project, { recursive: true });
  for (const m of doc.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)) {
    mkdirSync(dirname(join(project, m[1]!)), { recursive: true });
    writeFileSync(join(project, m[1]!), m[2]!);
  }
  const service = join(project, 'src/services/hello.lua');
  writeFileSync(service, PRINT + readFileSync(service, 'utf8'));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project);
  const tarballs = out.map((p) => join(packs, p.filename.replace(/^@/, '').replace('/', '-')));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, 'three'], project);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Starts `vite [command]`, opens the page until the doc's two answers show; what the server and the console printed. */
async function serveAndLoad(command: string[]): Promise<{ server: string; console: string[] }> {
  const port = 4800 + ((process.pid + command.length * 13) % 400);
  const server = spawn(join(project, 'node_modules/.bin/vite'), [...command, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: project, detached: true, env });
  const printed: string[] = [];
  server.stdout.on('data', (d: Buffer) => printed.push(String(d)));
  server.stderr.on('data', (d: Buffer) => printed.push(String(d)));
  const logs: string[] = [];
  try {
    const url = `http://127.0.0.1:${port}/`;
    for (let t = Date.now(); !(await fetch(url).catch(() => null))?.ok; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() - t > 30_000) throw new Error(`vite ${command.join(' ')} did not answer:\n${printed.join('')}`);
    }
    const page = await browser!.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => (document.getElementById('out')?.textContent ?? '').split('\n').length >= 3, null, { timeout: 45_000 });
    // The doc's expected output, in either order.
    const expected = /The page shows:\n\n```text\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n').sort();
    expect((await page.textContent('#out'))!.trim().split('\n').sort()).toEqual(expected);
    await new Promise((r) => setTimeout(r, 500)); // the server's last lines
    await page.close();
    return { server: printed.join(''), console: logs };
  } finally {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

/** A console line from the service's print: `[hello:<address>] hello.lua is up`, at level log. */
const printedByService = (logs: string[]) => logs.filter((l) => /^log: \[hello:\d+\] hello\.lua is up$/.test(l));

describe("a user's build and dev server print nothing about the packages", () => {
  it('vite build: no externalized Node built-in, no warning naming the packages; the runtime chunks stay under 500 kB', () => {
    const output = runBoth(join(project, 'node_modules/.bin/vite'), ['build'], project);
    expect(output).toMatch(/built in/);
    expect(packageNoise(output)).toEqual([]);
    const assets = join(project, 'dist/assets');
    const sizes = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => ({ f, bytes: statSync(join(assets, f)).size, gzip: gzipSync(readFileSync(join(assets, f))).length }));
    const runtime = sizes.filter((s) => /^(scheduler-worker|carrier-worker|io|concat\.ts\.ltask-carrier)-/.test(s.f));
    expect(runtime.length).toBe(4);
    for (const s of runtime) expect(s.bytes, s.f).toBeLessThan(500_000);
    // fengari's Node-only dependencies are not in the scheduler worker.
    const vm = readFileSync(join(assets, runtime.find((s) => s.f.startsWith('scheduler-worker-'))!.f), 'utf8');
    expect(vm.includes('FENGARICONF')).toBe(true);
    expect(vm.includes('support interactive reading from TTY')).toBe(false); // readline-sync
    expect(vm.includes('Could not get a unique tmp filename')).toBe(false); // tmp
    console.log(sizes.map((s) => `${s.f}: ${s.bytes} B, gzip ${s.gzip} B`).join('\n'));
  }, 240_000);

  it("vite preview: the page works and the Lua service's print is in the browser console", async () => {
    const { server, console: logs } = await serveAndLoad(['preview']);
    expect(packageNoise(server)).toEqual([]);
    expect(printedByService(logs)).toHaveLength(1);
    expect(packageNoise(logs.join('\n'))).toEqual([]);
  }, 90_000);

  it('vite (dev server): no source map warning, nothing naming the packages, on the server or in the console', async () => {
    rmSync(join(project, 'node_modules/.vite'), { recursive: true, force: true }); // the dependency optimizer runs too
    const { server, console: logs } = await serveAndLoad([]);
    expect(server).toMatch(/ready in/);
    expect(packageNoise(server)).toEqual([]);
    expect(printedByService(logs)).toHaveLength(1);
    expect(packageNoise(logs.join('\n'))).toEqual([]);
  }, 120_000);
});
