/**
 * The headless runner behind `npx ltask`. Runs a Lua script as the first user
 * service on a Node runtime; `print` goes to stdout, errors to stderr. Exits 0
 * when every service has ended (ltask's rule), non-zero when the main service
 * fails to start or a worker fails.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRuntime, type LogEntry } from '../host/runtime.ts';

const USAGE = `usage: ltask <main.lua> [--workers N] [--path "dir/?.lua;..."]

  main.lua        the first service; its directory is searched first
  --workers N     scheduler workers (default: cores - 1, at least 1)
  --path P        extra ?-templates for services and require, separated by ';'
`;

export interface RunnerArgs {
  main: string;
  workers?: number;
  path: string[];
}

/** Parses the command line; throws with the usage text on bad input. */
export function parseArgs(argv: string[]): RunnerArgs {
  const out: RunnerArgs = { main: '', path: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n\n${USAGE}`);
      return v;
    };
    if (a === '--workers') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--workers must be a positive integer\n\n${USAGE}`);
      out.workers = n;
    } else if (a === '--path') out.path.push(...value().split(';').filter(Boolean));
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
  const file = resolve(args.main);
  const dir = dirname(file);
  const name = basename(file, extname(file));
  const templates = [`${dir}/?.lua`, ...args.path.map((p) => resolve(p))].join(';');
  const rt = await startRuntime({
    workers: args.workers,
    servicePath: templates,
    luaPath: templates,
    base: pathToFileURL(process.cwd() + '/').href,
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
