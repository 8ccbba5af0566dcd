/**
 * The headless runner behind `npx ltask`. Runs a Lua script as the first user
 * service on a Node runtime; `print` goes to stdout, errors to stderr. Exits 0
 * when every service has ended (ltask's rule), non-zero when the main service
 * fails to start, a worker fails, or `--timeout` expires. When nothing has run
 * for a while it says once, on stderr, which services are still alive.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { platform } from '#platform';
import { startRuntime } from '../runtime.ts';
import type { LogEntry, Runtime, RuntimeOptions } from '../../api/runtime.ts';
import { runtimeInternals } from '../internals.ts';
import { Address, ServiceState, type ServiceInfo } from '../../wire/protocol.ts';

const USAGE = `usage: ltask <main.lua> [options]

Runs main.lua as the first service of a runtime on this machine's cores. The
run ends, with exit code 0, when every service it started has ended (ltask's
rule: a script that returns nil ends at once; one that returns a handler table
keeps serving until it calls ltask.quit()).

  main.lua               the first service; its directory is searched first
  --workers N            scheduler workers (default: cores - 1, at least 1,
                         as ltask; --workers 1 starts fastest)
  --path P               extra ?-templates for services and require, separated by ';'
  --native FILE          a native module (repeatable); Lua reaches it as ltask.native "<its name>"
  --service NAME=FILE    a TypeScript service (repeatable): ltask.spawn "NAME" starts the
                         default export of FILE (.ts loads through tsx, with its imports)
  --io-root DIR          the io service's asset root (default: the working directory)
  --io-latency MS        delay every io answer by MS milliseconds (models a remote server)
  --callback-timeout MS  fail a native call whose callback takes longer (default 30000)
  --timeout MS           stop the run after MS milliseconds: lists the services
                         still alive and exits with code 124 (default 0: no limit)
  --idle-report MS       when no service has run for MS milliseconds (none ready,
                         running or in a native call), print once to stderr which
                         services are still alive, and keep waiting: services may
                         legitimately wait for io or a timer, so an idle run is
                         never ended by the runner (default 2000; 0: never report)
  -h, --help             print this text

Exit codes: 0 every service ended; 1 the main service failed before its main
chunk returned (not found, or an error) or a worker failed; 2 bad command line;
124 --timeout expired.
`;

/** Exit code of a run stopped by `--timeout` (as timeout(1)). */
export const TIMEOUT_EXIT = 124;

export interface RunnerArgs {
  main: string;
  workers?: number;
  path: string[];
  natives: string[];
  /** `--service NAME=FILE`: TypeScript services, file path by name. */
  services: Record<string, string>;
  ioRoot?: string;
  ioLatency?: number;
  callbackTimeout?: number;
  /** Stop the run after this many ms (0: never). */
  timeout: number;
  /** Report the live services after this many quiet ms (0: never). */
  idleReport: number;
  /** `--help` was given. */
  help?: boolean;
}

const count = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}\n\n${USAGE}`);
  return n;
};

/** Adds `--service NAME=FILE` to `services`; throws on a bad one or a name given twice. */
function addService(services: Record<string, string>, v: string): void {
  const eq = v.indexOf('=');
  const name = eq < 0 ? '' : v.slice(0, eq);
  const file = v.slice(eq + 1);
  if (!name || !file) throw new Error(`--service takes NAME=FILE (e.g. --service score=./score.ts), not "${v}"\n\n${USAGE}`);
  if (Object.hasOwn(services, name)) {
    throw new Error(`--service ${name} is given twice (${services[name]} and ${file}): a name runs one module; give the other service another name`);
  }
  services[name] = file;
}

/** Parses the command line; throws with the usage text on bad input. */
export function parseArgs(argv: string[]): RunnerArgs {
  const out: RunnerArgs = { main: '', path: [], natives: [], services: {}, timeout: 0, idleReport: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n\n${USAGE}`);
      return v;
    };
    if (a === '--workers') out.workers = count(a, value(), 1);
    else if (a === '--path') out.path.push(...value().split(';').filter(Boolean));
    else if (a === '--native') out.natives.push(value());
    else if (a === '--service') addService(out.services, value());
    else if (a === '--io-root') out.ioRoot = value();
    else if (a === '--io-latency') out.ioLatency = count(a, value(), 0);
    else if (a === '--callback-timeout') out.callbackTimeout = count(a, value(), 0);
    else if (a === '--timeout') out.timeout = count(a, value(), 0);
    else if (a === '--idle-report') out.idleReport = count(a, value(), 0);
    else if (a === '-h' || a === '--help') out.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n\n${USAGE}`);
    else if (!out.main) out.main = a;
    else throw new Error(`unexpected argument ${a}\n\n${USAGE}`);
  }
  if (!out.main && !out.help) throw new Error(USAGE);
  return out;
}

const write = (e: LogEntry) => {
  if (e.level === 'error') process.stderr.write(`[${e.label}:${e.source}] ${e.text}\n`);
  else process.stdout.write(`${e.text}\n`);
};


/**
 * The live services worth naming: not the system ones, nor the io service
 * while it has nothing to do. `inspect()` asks root (labels, and what native
 * calls wait on); when root does not answer within a second (its worker is
 * busy) it reads the shared table instead, and this says so. `labels` names
 * the services this runner started, for rows read from the table.
 */
async function aliveServices(rt: Runtime, labels: Map<number, string>): Promise<{ rows: ServiceInfo[]; note: string }> {
  const all = await rt.inspect().catch(() => [] as ServiceInfo[]);
  for (const r of all) if (r.fromTable && r.label === '?') r.label = labels.get(r.address) ?? '?';
  const rows = all.filter(
    // Root, logger and timer are always alive: never worth listing; nor is an idle io.
    (r) => r.address >= Address.FIRST_FREE && !(r.label === 'io' && r.state === 'idle' && r.queue === 0),
  );
  const note = all.some((r) => r.fromTable) ? '  (root did not answer within 1 s, so this is the shared table only: a worker may be busy in a long handler)\n' : '';
  return { rows, note };
}

/** The services as an aligned table, one line each. */
export function formatServices(rows: ServiceInfo[]): string {
  if (rows.length === 0) return '  (none besides the runtime\'s own services)\n';
  const head = ['address', 'label', 'state', 'worker', 'queued', 'waits on'];
  const cells = rows.map((r) => [String(r.address), r.label, r.state, String(r.worker), String(r.queue), r.detail ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `  ${c.map((s, i) => (i === c.length - 1 ? s : s.padEnd(widths[i]!))).join('  ')}`.trimEnd() + '\n';
  return line(head) + cells.map(line).join('');
}

/**
 * Watches the shared service table (no messages, so watching is not activity)
 * and calls `report` once, after `quietMs` during which no service ran: none
 * initializing, ready, running or suspended in a native call, no request
 * queued, no carrier busy, and no message handled anywhere.
 */
function watchIdle(rt: Runtime, quietMs: number, report: (quietMs: number) => void): () => void {
  const internals = runtimeInternals(rt);
  const t = internals.table;
  let handled = -1;
  let since = Date.now();
  const poll = () => {
    let sum = 0;
    let busy = false;
    for (const a of t.addresses()) {
      sum += t.handled(a);
      const st = t.state(a);
      if (st === ServiceState.INIT || st === ServiceState.READY || st === ServiceState.RUNNING || st === ServiceState.SUSPENDED || (st !== ServiceState.DEAD && t.queue(a) > 0)) busy = true;
    }
    // A native call in flight is not idle, also while it waits for its carrier to start (slow on a busy machine).
    if (!busy && (rt.carriers().some((c) => c.busy !== null) || internals.waitingNativeCalls > 0)) busy = true;
    const now = Date.now();
    if (busy || sum !== handled) {
      handled = sum;
      since = now;
    } else if (now - since >= quietMs) {
      clearInterval(iv);
      report(now - since);
    }
  };
  const iv = setInterval(poll, Math.max(10, Math.min(250, Math.floor(quietMs / 4))));
  iv.unref();
  return () => clearInterval(iv);
}

/** Imports a `--native` file to learn its name; `.ts` files load through tsx, as in the workers. */
async function nativeName(path: string): Promise<{ name: string; url: string }> {
  const url = pathToFileURL(resolve(path)).href;
  const mod = (await platform.importModule(url)) as { default?: { name?: unknown; functions?: unknown } };
  const def = mod.default;
  if (!def || typeof def !== 'object' || typeof def.name !== 'string' || typeof def.functions !== 'object') {
    throw new Error('its default export is not a native module ({ name, functions })');
  }
  return { name: def.name, url };
}

/** Runs the runner; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  quietOnClosedPipe();
  const setup = await prepare(argv);
  if (typeof setup === 'number') return setup;
  const { args, natives, services } = setup;
  // --timeout counts from here: the whole run, startup included.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired =
    args.timeout > 0
      ? new Promise<'timeout'>((r) => (timer = setTimeout(r, Math.max(0, args.timeout - (Date.now() - started)), 'timeout')))
      : new Promise<never>(() => {});
  try {
    const rt = await start(args, { natives, services }, expired);
    return typeof rt === 'number' ? rt : await runMain(rt, args, expired);
  } finally {
    clearTimeout(timer);
  }
}

/** `ltask main.lua | head`: when the reader has gone, stop quietly like other command-line tools. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

/** The arguments and the `--native` modules by name, or the exit code when there is nothing to run. */
async function prepare(argv: string[]): Promise<{ args: RunnerArgs; natives: Record<string, string>; services: Record<string, string> } | number> {
  let args: RunnerArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const natives: Record<string, string> = {};
  for (const path of args.natives) {
    try {
      const { name, url } = await nativeName(path);
      natives[name] = url;
    } catch (e) {
      process.stderr.write(`ltask: --native ${path}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const services: Record<string, string> = {};
  for (const [name, path] of Object.entries(args.services)) {
    if (!existsSync(path)) {
      process.stderr.write(`ltask: --service ${name}=${path}: no such file\n`);
      return 2;
    }
    services[name] = pathToFileURL(resolve(path)).href;
  }
  return { args, natives, services };
}

const timedOut = (args: RunnerArgs) => `ltask: timed out after ${args.timeout} ms (--timeout)`;
const mainName = (args: RunnerArgs) => basename(resolve(args.main), extname(args.main));

/**
 * Starts the runtime over the main file's folder and `--path`, with the
 * `--native` modules and `--service` services (file URLs by name); an exit
 * code when it fails or times out first.
 */
async function start(args: RunnerArgs, modules: Pick<RuntimeOptions, 'natives' | 'services'>, expired: Promise<'timeout'>): Promise<Runtime | number> {
  const dir = dirname(resolve(args.main));
  const templates = [`${dir}/?.lua`, ...args.path.map((p) => resolve(p))].join(';');
  const starting = startRuntime({
    workers: args.workers,
    servicePath: templates,
    luaPath: templates,
    base: pathToFileURL(process.cwd() + '/').href,
    ...modules,
    io: { backend: 'fs', root: resolve(args.ioRoot ?? '.'), latencyMs: args.ioLatency ?? 0 },
    callbackTimeoutMs: args.callbackTimeout,
    onLog: write,
  });
  try {
    const first = await Promise.race([starting, expired]);
    if (first !== 'timeout') return first;
    process.stderr.write(`${timedOut(args)} while the runtime was starting\n`);
    void starting.then((late) => late.stop(), () => {});
    return TIMEOUT_EXIT;
  } catch (e) {
    process.stderr.write(`ltask: the runtime failed to start: ${(e as Error).message}\n`);
    return 1;
  }
}

/** The process that started this one, read as this module loads (before the runtime's start, which may outlast it). */
const STARTED_BY = process.ppid;

/**
 * Stop with the process that started us. A signal to `npx` ends npm and its
 * shell but not this process (it used to run on as an orphan), and SIGINT or
 * SIGTERM sent here should stop the workers before the exit.
 */
function stopWithParent(rt: Runtime): void {
  const parent = STARTED_BY;
  const stopFor = (code: number) => {
    setTimeout(() => process.exit(code), 1500); // a worker frozen in a long call must not hold the exit
    void rt.stop().finally(() => process.exit(code));
  };
  const orphaned = () => process.ppid !== parent;
  if (orphaned()) return stopFor(129); // it went while the runtime started
  const orphanWatch = setInterval(() => {
    if (orphaned()) stopFor(129);
  }, 250);
  orphanWatch.unref();
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) process.once(sig, () => stopFor(code));
}

/** Spawns the main service and waits for the runtime's end or the timeout, reporting what is still alive. */
async function runMain(rt: Runtime, args: RunnerArgs, expired: Promise<'timeout'>): Promise<number> {
  stopWithParent(rt);
  const name = mainName(args);
  const state = { ending: false, mainStarted: false };
  // Labels for when root cannot answer: the io service, and the main service,
  // which takes the next address (root allocates addresses in order).
  const labels = new Map<number, string>([[runtimeInternals(rt).table.end, name]]);
  void rt.queryService('io').then((a) => labels.set(a, 'io'), () => {});
  /** The live services, the main service marked while its main chunk has not returned. */
  const alive = async () => {
    const { rows, note } = await aliveServices(rt, labels);
    const m = state.mainStarted ? undefined : rows.find((r) => r.label === name);
    if (m && !m.detail) m.detail = `(${name}.lua has not returned yet)`;
    return formatServices(rows) + note;
  };
  const stopWatching = args.idleReport > 0 ? watchIdle(rt, args.idleReport, (quiet) => reportIdle(alive, quiet, state)) : () => {};
  const run = (async (): Promise<number> => {
    try {
      await rt.spawnService({ name, label: name });
      state.mainStarted = true;
    } catch (e) {
      if (!state.ending) process.stderr.write(`ltask: ${name} failed before its main chunk returned:\n${(e as Error).message}\n`);
      return 1;
    }
    const exit = await rt.exited;
    if (exit.error && !state.ending) process.stderr.write(`ltask: ${exit.error}\n`);
    return exit.code;
  })();
  try {
    const result = await Promise.race([run, expired]);
    if (result !== 'timeout') return result;
    const list = await alive();
    state.ending = true;
    process.stderr.write(`${timedOut(args)}; services still alive:\n${list}`);
    return TIMEOUT_EXIT;
  } finally {
    state.ending = true;
    stopWatching();
    await rt.stop();
  }
}

/** `--idle-report`: what is still alive after a quiet spell, and how the run ends. */
function reportIdle(alive: () => Promise<string>, quiet: number, state: { ending: boolean }): void {
  void alive().then((list) => {
    if (state.ending) return;
    process.stderr.write(
      `ltask: no service has run for ${(quiet / 1000).toFixed(1)} s; still alive:\n${list}` +
        `ltask: still waiting (a service may be waiting for io or a timer). The run ends when every service ` +
        `has ended (ltask.quit()); bound it with --timeout MS, or press Ctrl-C.\n`,
    );
  });
}
