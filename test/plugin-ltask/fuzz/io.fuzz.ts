/**
 * Fuzz target of the io service's paths (plugin-ltask/src/services/io/).
 *
 * io/paths: random paths (`..`, `.`, empty segments, absolute, `//`, NUL,
 * backslashes, percent signs, schemes, symlinks that lead out, very long,
 * unicode, non-strings) with random offsets and lengths, to `read`, `stat`
 * and `list` of the fs, memory and fetch backends over the same files. Each
 * call answers (bytes, a stat, a listing, or an IoError with its code), and
 * never with bytes from outside the root: a file next to the root holds a
 * marker no answer may contain, and the fetch backend's HTTP server sees no
 * request outside the root's URL.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createIo, IoError } from '../../../plugin-ltask/src/services/io/index.ts';
import type { IoHandlers } from '../../../plugin-ltask/src/api/io.ts';
import type { Target } from './target.ts';

const SECRET = 'SECRET-OUTSIDE-THE-ROOT';
/** The files under the root (path -> text); the secret lies next to the root. */
const FILES: Record<string, string> = { 'a.txt': 'alpha', 'sub/b.txt': 'beta in sub', 'ünï €.txt': 'unicode name', 'sub/deeper/c.txt': 'c' };

const SEGMENTS = ['..', '.', '', 'a.txt', 'sub', 'b.txt', 'deeper', 'c.txt', 'ünï €.txt', 'secret.txt', 'link-out', 'dirlink-out', 'link-in', '%2e%2e', '..%2f', '%2F', '\\..', 'a\\b', '\0', 'a\0b', 'C:', 'file:', 'http:', '~', '...', ' ', '?x=1', '#f'];

export const hostilePath: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom('', '', '/', '//', './', '../', 'file:///', 'http://evil/', '\\\\', 'C:\\'), fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 8 }))
      .map(([head, segs]) => head + segs.join('/')),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((n) => '../'.repeat(n) + 'secret.txt') },
  { weight: 1, arbitrary: fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.uint8Array({ maxLength: 8 }), fc.object({ maxDepth: 1 })) },
);

const count = fc.oneof(fc.constant(undefined), fc.nat(20), fc.constantFrom(-1, 1.5, NaN, Infinity, 2 ** 53, '3', null));

const call = fc.tuple(fc.constantFrom('read', 'stat', 'list'), fc.constantFrom(0, 1, 2), hostilePath, count, count);

interface Tree {
  dir: string;
  server: Server;
  requests: string[];
  ios: IoHandlers[];
}

function makeTree(): Omit<Tree, 'server' | 'ios' | 'requests'> {
  const dir = mkdtempSync(join(tmpdir(), 'ltask-io-fuzz-'));
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  const root = join(dir, 'root');
  for (const [p, text] of Object.entries(FILES)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link-out'));
  symlinkSync(dir, join(root, 'dirlink-out'));
  symlinkSync(join(root, 'a.txt'), join(root, 'link-in'));
  return { dir };
}

/** Serves the tree over HTTP (the secret too, at /secret.txt) and records every request. */
function serve(dir: string, requests: string[]): Promise<Server> {
  // (No link-out here: what a web server serves under the root's URL is the root, symlink or not.)
  const byUrl = new Map<string, string>([['/secret.txt', SECRET], ['/root/index.json', JSON.stringify(Object.keys(FILES))]]);
  for (const [p, text] of Object.entries(FILES)) byUrl.set('/root/' + p.split('/').map(encodeURIComponent).join('/'), text);
  void dir;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = byUrl.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

const isOk = (v: unknown) => typeof v === 'string' || v instanceof Uint8Array || Array.isArray(v) || (typeof v === 'object' && v !== null);

export function ioTargets(): Target[] {
  let tree: Tree | undefined;
  return [
    {
      name: 'io/paths',
      shortRuns: 300,
      async setup() {
        const { dir } = makeTree();
        const requests: string[] = [];
        const server = await serve(dir, requests);
        const port = (server.address() as AddressInfo).port;
        const files = Object.fromEntries(Object.entries(FILES));
        tree = {
          dir,
          server,
          requests,
          ios: [
            createIo({ backend: 'fs', root: join(dir, 'root') }),
            createIo({ backend: 'memory', files }),
            createIo({ backend: 'fetch', root: `http://127.0.0.1:${port}/root/` }),
          ],
        };
      },
      async teardown() {
        if (!tree) return;
        await new Promise((ok) => tree!.server.close(ok));
        rmSync(tree.dir, { recursive: true, force: true });
        tree = undefined;
      },
      property: () =>
        fc.asyncProperty(call, async ([fn, which, path, offset, length]) => {
          const t = tree!;
          const io = t.ios[which]!;
          t.requests.length = 0;
          let v: unknown;
          try {
            v =
              fn === 'read'
                ? await io.read(path as string, offset as number, length as number)
                : fn === 'stat'
                  ? await io.stat(path as string)
                  : await io.list(path as string);
          } catch (e) {
            if (!(e instanceof IoError) || !/^\[io\] /.test(e.message) || typeof e.code !== 'string') {
              throw new Error(`${fn}(${JSON.stringify(path)}) threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
            }
            v = e;
          }
          if (!(v instanceof IoError) && !isOk(v)) throw new Error(`${fn} answered ${String(v)}`);
          const text = v instanceof Uint8Array ? new TextDecoder().decode(v) : v instanceof IoError ? '' : JSON.stringify(v);
          if (text.includes(SECRET)) throw new Error(`${fn}(${JSON.stringify(path)}) read the file outside the root`);
          const out = t.requests.filter((u) => !u.startsWith('/root/'));
          if (out.length) throw new Error(`${fn}(${JSON.stringify(path)}): the fetch backend asked for ${out.join(', ')}`);
        }),
    },
  ];
}
