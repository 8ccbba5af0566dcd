/**
 * The headless runner behind `npx ltask`. Runs a Lua script as the first user
 * service on a Node runtime; `print` goes to stdout, errors to stderr. Exits 0
 * when every service has ended (ltask's rule), non-zero when the main service
 * fails to start or a worker fails.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRuntime, type LogEntry } from '../host/runtime.ts';

const USAGE = `usage: ltask <main.lua> [options]

  main.lua           the first service; its directory is searched first
  --workers N        scheduler workers (default: cores - 1, at least 1)
  --path P           extra ?-templates for services and require, separated by ';'
  --native FILE      a native module (repeatable); Lua reaches it as ltask.native "<its name>"
  --io-root DIR      the io service's asset root (default: the working directory)
  --io-latency MS    delay every io answer by MS milliseconds (models a remote server)
  --callback-timeout MS  fail a native call whose callback takes longer (default 30000)
`;

export interface RunnerArgs {
  main: string;
  workers?: number;
  path: string[];
  natives: string[];
  ioRoot?: string;
  ioLatency?: number;
  callbackTimeout?: number;
}

const count = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}\n\n${USAGE}`);
  return n;
};

/** Parses the command line; throws with the usage text on bad input. */
export function parseArgs(argv: string[]): RunnerArgs {
  const out: RunnerArgs = { main: '', path: [], natives: [] };
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
    else if (a === '--io-root') out.ioRoot = value();
    else if (a === '--io-latency') out.ioLatency = count(a, value(), 0);
    else if (a === '--callback-timeout') out.callbackTimeout = count(a, value(), 0);
    else if (a === '-h' || a === '--help') throw new Error(USAGE);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n\n${USAGE}`);
    else if (!out.main) out.main = a;
    else throw new Error(`unexpected argument ${a}\n\n${USAGE}`);
  }
  if (!out.main) throw new Error(USAGE);
  return out;
}

const write = (e: LogEntry) => {
  if (e.level === 'error') process.stderr.write(`[${e.label}:${e.source}] ${e.text}\n`);
  else process.stdout.write(`${e.text}\n`);
};

/** Runs the runner; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: RunnerArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const natives: Record<string, string> = {};
  for (const path of args.natives) {
    const url = pathToFileURL(resolve(path)).href;
    try {
      const mod = (await import(url)) as { default?: { name?: unknown; functions?: unknown } };
      const def = mod.default;
      if (!def || typeof def !== 'object' || typeof def.name !== 'string' || typeof def.functions !== 'object') {
        throw new Error('its default export is not a native module ({ name, functions })');
      }
      natives[def.name] = url;
    } catch (e) {
      process.stderr.write(`ltask: --native ${path}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const file = resolve(args.main);
  const dir = dirname(file);
  const name = basename(file, extname(file));
  const templates = [`${dir}/?.lua`, ...args.path.map((p) => resolve(p))].join(';');
  const rt = await startRuntime({
    workers: args.workers,
    servicePath: templates,
    luaPath: templates,
    base: pathToFileURL(process.cwd() + '/').href,
    natives,
    io: { backend: 'fs', root: resolve(args.ioRoot ?? '.'), latencyMs: args.ioLatency ?? 0 },
    callbackTimeoutMs: args.callbackTimeout,
    onLog: write,
  });
  try {
    try {
      await rt.spawnService({ name, label: name });
    } catch (e) {
      process.stderr.write(`ltask: ${name} failed to start:\n${(e as Error).message}\n`);
      return 1;
    }
    const exit = await rt.exited;
    if (exit.error) process.stderr.write(`ltask: ${exit.error}\n`);
    return exit.code;
  } finally {
    await rt.stop();
  }
}
