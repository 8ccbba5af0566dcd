// The headless runner, as users run it: a child process. bin/ltask.mjs runs the
// built dist/ (npm run build -w plugin-ltask) when it exists, the TypeScript
// sources through tsx otherwise or with LTASK_FROM_SOURCE=1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ltaskWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['plugin-ltask/bin/ltask.mjs', ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, LTASK_FROM_SOURCE: '', ...env },
  });
const ltask = (...args: string[]) => ltaskWith({}, ...args);
const fromSource = (...args: string[]) => ltaskWith({ LTASK_FROM_SOURCE: '1' }, ...args);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ltask-cli-'));
  // A main service whose main chunk never returns.
  writeFileSync(join(dir, 'forever.lua'), 'local ltask = require "ltask"\nprint "waiting"\nltask.wait "never"\n');
  // Quiet for 0.8 s (a timer the runner cannot see), then done.
  writeFileSync(join(dir, 'naps.lua'), 'local ltask = require "ltask"\nltask.sleep(80)\nprint "awake"\n');
  // Calls the TypeScript service "tally" (given with --service), prints what it answers, lets it go.
  writeFileSync(
    join(dir, 'tally_main.lua'),
    'local ltask = require "ltask"\nlocal t = ltask.spawn("tally", 10)\n' +
      'print(ltask.call(t, "add", 5), ltask.call(t, "add", 50), ltask.call(t, "label"))\nltask.send(t, "bye")\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** True when a process with this pid still runs. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const waitGone = async (pid: number, ms: number) => {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
};

describe('npx ltask and signals', () => {
  it('SIGTERM stops the runner and its workers within 2 s', async () => {
    const child = spawn(process.execPath, ['plugin-ltask/bin/ltask.mjs', join(dir, 'forever.lua'), '--workers', '2'], { env: { ...process.env, LTASK_FROM_SOURCE: '' } });
    await new Promise((r) => child.stdout.once('data', r)); // "waiting": the runtime is up
    child.kill('SIGTERM');
    const t0 = Date.now();
    const code = await new Promise<number | null>((r) => child.on('exit', (c, sig) => r(c ?? (sig ? 143 : null))));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(code).toBe(143);
  });

  it('stops when the process that started it goes away (a signal to npx ends npm, not the runner)', async () => {
    // A parent that starts the runner, reports its pid and exits: the runner is orphaned.
    const launcher = `const c = require('child_process').spawn(process.execPath, ['plugin-ltask/bin/ltask.mjs', ${JSON.stringify(join(dir, 'forever.lua'))}, '--workers', '2'], { stdio: 'ignore', env: { ...process.env, LTASK_FROM_SOURCE: '' } }); console.log(c.pid); setTimeout(() => process.exit(0), 1500);`;
    const r = spawnSync(process.execPath, ['-e', launcher], { encoding: 'utf8', timeout: 10_000 });
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const gone = await waitGone(pid, 2500);
    if (!gone) process.kill(pid, 'SIGKILL');
    expect(gone).toBe(true);
  });
});

describe('npx ltask', () => {
  it('stops quietly with code 0 when the reader of its output goes away (`| head`)', async () => {
    writeFileSync(join(dir, 'chatty.lua'), 'for i = 1, 100000 do print("line", i) end\n');
    const child = spawn(process.execPath, ['plugin-ltask/bin/ltask.mjs', join(dir, 'chatty.lua'), '--workers', '1'], { env: { ...process.env, LTASK_FROM_SOURCE: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('runs from the built dist/ (build it first: npm run build -w plugin-ltask)', () => {
    expect(existsSync('plugin-ltask/dist/entries/cli.js')).toBe(true);
  });

  it('runs examples/ping.lua on two workers, prints its result and exits 0', () => {
    const r = ltask('examples/ping.lua', '--workers', '2');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ping: 10 rounds, sum 110, pong on worker [01], ping on worker [01]\n$/);
    expect(r.status).toBe(0);
  });

  it('an empty main exits 0 at once, from dist/ and from the sources', () => {
    for (const run of [ltask, fromSource]) {
      const r = run('test/fixtures/lua/quits_at_start.lua');
      expect(r.error).toBeUndefined(); // it exited (no spawnSync timeout)
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('exits non-zero and shows the error and traceback when main fails', () => {
    const r = ltask('examples/fail.lua');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ltask: fail failed before its main chunk returned:\n/);
    // The message first; where it was raised is the traceback's first line (as in ltask).
    expect(r.stderr).toMatch(/level intro is missing\nstack traceback:\n.*\n\t.*fail\.lua:3: in local 'load_level'/);
    expect(r.stderr).toMatch(/stack traceback:[\s\S]*in local 'load_level'/);
  });

  it('finds modules on --path and rejects bad options', () => {
    const ok = ltask('test/fixtures/lua/uses_module.lua', '--path', 'test/fixtures/lua/?.lua', '--workers', '1');
    expect(ok.stdout).toBe('module value 42\n');
    expect(ok.status).toBe(0);
    const bad = ltask('examples/ping.lua', '--workers', 'zero');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be an integer >= 1/);
    const neg = ltask('examples/ping.lua', '--timeout', '-1');
    expect(neg.status).toBe(2);
    expect(neg.stderr).toMatch(/--timeout must be an integer >= 0/);
  });

  it('--help prints the options and exits 0', () => {
    const r = ltask('--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const o of ['--workers', '--path', '--native', '--service', '--io-root', '--io-latency', '--callback-timeout', '--timeout', '--idle-report']) {
      expect(r.stdout).toContain(o);
    }
  });
});

describe('npx ltask --timeout and the idle report', () => {
  it('--timeout stops a main that never ends: exit 124, the live service named', () => {
    // 2 s: the main has started and printed by then, also on a loaded machine (the runtime's start took over 1 s there).
    const r = ltask(join(dir, 'forever.lua'), '--timeout', '2000', '--idle-report', '0');
    expect(r.stdout).toBe('waiting\n');
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/^ltask: timed out after 2000 ms \(--timeout\); services still alive:\n/);
    expect(r.stderr).toMatch(/^\s+address\s+label\s+state\s+worker\s+queued\s+waits on$/m);
    expect(r.stderr).toMatch(/^\s+\d+\s+forever\s+idle\s+\d+\s+0\s+\(forever\.lua has not returned yet\)$/m);
    expect(r.stderr).not.toMatch(/no service has run/); // --idle-report 0
  });

  it('reports the idle services once, then keeps waiting until --timeout', () => {
    const r = ltask('test/fixtures/lua/idle.lua', '--idle-report', '200', '--timeout', '3000');
    expect(r.status).toBe(124);
    const report = /ltask: no service has run for [\d.]+ s; still alive:\n\s+address.*\n\s+\d+\s+idle\s+idle\s[^\n]*\nltask: still waiting[^\n]*--timeout[^\n]*\n/;
    expect(r.stderr).toMatch(report);
    expect(r.stderr.match(/no service has run/g)).toHaveLength(1);
    expect(r.stderr.indexOf('no service has run')).toBeLessThan(r.stderr.indexOf('timed out after 3000 ms'));
  });

  it('an idle report does not end the run: a service quiet on a timer still finishes with 0', () => {
    const r = ltask(join(dir, 'naps.lua'), '--idle-report', '200');
    expect(r.stderr).toMatch(/no service has run[\s\S]*\s+naps\s+idle\s/);
    expect(r.stdout).toBe('awake\n');
    expect(r.status).toBe(0);
  });
});

describe('npx ltask with native modules and io', () => {
  it('--native, --io-root and --io-latency: the loader waits on io while its service keeps answering', () => {
    const r = ltask('examples/loader.lua', '--native', 'test/fixtures/native/concat.ts', '--io-root', 'test/fixtures/io', '--io-latency', '100', '--workers', '2');
    expect(r.stderr).toBe('');
    const m = /^loaded 20 bytes in (\d+) ms; answered (\d+) pings meanwhile\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(200);
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  });

  it('a --native file that is not a native module is refused', () => {
    const r = ltask('examples/ping.lua', '--native', 'test/fixtures/ts/adder.ts');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--native test\/fixtures\/ts\/adder\.ts: its default export is not a native module/);
  });

  it('--idle-report stays quiet while a native call waits for its carrier to start (800 ms) and the run ends with it', () => {
    writeFileSync(join(dir, 'slow.lua'), 'local ltask = require "ltask"\nprint(ltask.native("slowstart").echo("loaded"))\nltask.quit()\n');
    const r = ltask(join(dir, 'slow.lua'), '--native', 'test/fixtures/native/slowstart.ts', '--idle-report', '300');
    expect(r.stderr).not.toMatch(/no service has run/); // waiting for a carrier is not idle
    expect(r.stdout).toBe('loaded\n');
    expect(r.status).toBe(0);
  });

  it('--timeout names a service suspended in a native call and what it waits on', () => {
    writeFileSync(join(dir, 'stuck.lua'), 'local ltask = require "ltask"\nltask.native("concat").call(function() ltask.wait "never" end)\n');
    // 3 s: the runtime's start and the carrier's are inside the bound (over 1 s each on a loaded 2-core machine).
    const r = ltask(join(dir, 'stuck.lua'), '--native', 'test/fixtures/native/concat.ts', '--timeout', '3000', '--idle-report', '300');
    expect(r.status).toBe(124);
    expect(r.stderr).not.toMatch(/no service has run/); // a native call in flight is not idle
    expect(r.stderr).toMatch(/^\s+\d+\s+stuck\s+suspended\s+\d+\s+0\s+native concat\.call on carrier \d+ for [\d.]+ s: callback waits for a wakeup$/m);
  });
});

describe('npx ltask with TypeScript services', () => {
  const main = () => join(dir, 'tally_main.lua');

  it('--service NAME=FILE: a Lua main calls a .ts service with imports of its own (relative, npm), from dist/ and from the sources', () => {
    for (const run of [ltask, fromSource]) {
      const r = run(main(), '--service', 'tally=test/fixtures/ts/tally.ts', '--workers', '1');
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('25\t100\ttally\n'); // 10 + 5*3, then capped at 100 by three's clamp
      expect(r.status).toBe(0);
    }
  });

  it('refuses a --service that is not NAME=FILE, a name given twice and a missing file, saying which', () => {
    const form = ltask(main(), '--service', 'tally.ts');
    expect(form.status).toBe(2);
    expect(form.stderr).toMatch(/^--service takes NAME=FILE \(e\.g\. --service score=\.\/score\.ts\), not "tally\.ts"/);
    const twice = ltask(main(), '--service', 'tally=test/fixtures/ts/tally.ts', '--service', 'tally=test/fixtures/ts/adder.ts');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/--service tally is given twice \(test\/fixtures\/ts\/tally\.ts and test\/fixtures\/ts\/adder\.ts\): a name runs one module/);
    const missing = ltask(main(), '--service', 'tally=test/fixtures/ts/no_such.ts');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('ltask: --service tally=test/fixtures/ts/no_such.ts: no such file\n');
  });

  it('a .ts service Node takes for CommonJS (no "type": "module" above it): the error says to add it or to name the file .mts', () => {
    // A folder of its own, no package.json above it, the packages reachable as in a project.
    const cjs = join(dir, 'no-type');
    mkdirSync(cjs);
    symlinkSync(join(process.cwd(), 'node_modules'), join(cjs, 'node_modules'), 'dir');
    writeFileSync(join(cjs, 'tally.ts'), "import { defineService } from '@ltask-web/plugin-ltask/service';\nexport default defineService(() => ({ add: (n: number) => n }));\n");
    const r = ltask(main(), '--service', `tally=${join(cjs, 'tally.ts')}`, '--workers', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tally\.ts loads as CommonJS \(no "type": "module" in the package\.json above it\), so its ES imports fail: add "type": "module" to that package\.json, or name the file \.mts \(/);
  });

  it('a --service module without a default export fails the spawn, and the error says what to export', () => {
    const r = ltask(main(), '--service', 'tally=test/fixtures/ts/tally_rules.ts', '--workers', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/service tally: file:\/\/\S+\/tally_rules\.ts has no default export; a service module's default export is its factory: `export default/);
  });
});
