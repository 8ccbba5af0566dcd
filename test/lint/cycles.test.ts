// The module picture of each package has no cycle: every import, type-only
// imports included, points one way. A cycle is how layers start to leak (a
// scheduler that knows its native home, which knows the scheduler...). The one
// back edge allowed is the one bevy has too: a Plugin's `build(app: App)` names
// the App that adds plugins (type-only, so nothing runs in a circle).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

/** Type-only imports that may point back (`from -> to`, relative to the repository). */
const ALLOWED_BACK_EDGES = new Set(['engine/src/app/plugin.ts -> engine/src/app/app.ts']);

/** Relative imports of a module (static, dynamic, type-only, re-exports), resolved to files. */
function edges(file: string, known: Set<string>): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(import type [^;]*?|)(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"?]+)(?:\?[^'"]*)?['"]/g)) {
    const target = resolve(dirname(file), m[2]!);
    if (!known.has(target)) continue;
    const typeOnly = m[1] !== '';
    if (typeOnly && ALLOWED_BACK_EDGES.has(`${relative(repo, file)} -> ${relative(repo, target)}`)) continue;
    out.push(target);
  }
  return out;
}

/** Every elementary cycle's first appearance, as a list of paths (depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('no import cycles', () => {
  for (const pkg of ['plugin-ltask', 'engine']) {
    it(`${pkg}/src`, () => {
      const src = join(repo, pkg, 'src');
      const files = walk(src).filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith('.d.ts'));
      const known = new Set(files);
      const graph = new Map(files.map((f) => [f, edges(f, known)]));
      expect(files.length).toBeGreaterThan(10);
      expect([...graph.values()].flat().length).toBeGreaterThan(files.length); // the parser sees imports
      const rel = (c: string[]) => c.map((f) => relative(src, f)).join(' -> ');
      expect(cycles(graph).map(rel)).toEqual([]);
    });
  }
});

describe('the cycle check', () => {
  it('finds a cycle, and only that one', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('lets only the listed type-only back edge through', () => {
    const app = join(repo, 'engine/src/app/app.ts');
    const plugin = join(repo, 'engine/src/app/plugin.ts');
    const known = new Set([app, plugin]);
    expect(edges(plugin, known)).toEqual([]);
    expect(edges(app, known)).toContain(plugin);
  });
});
