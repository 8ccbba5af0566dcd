// The demo, the examples, the benches and the docs use the packages the way a
// user does: through their public entries (`@ltask-web/engine`,
// `@ltask-web/plugin-ltask`, `/engine`, `/native`, `/vite`, ...), never a path
// into another package's sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => {
    if (f === 'node_modules' || f === 'dist' || f.startsWith('.')) return [];
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

/** Import specifiers in a TypeScript/JavaScript file or in a markdown file's code blocks. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

const PACKAGES = ['engine', 'plugin-ltask'];
/** A specifier that reaches into a package folder of this repository. */
const intoPackage = (spec: string, from: string): string | null => {
  if (spec.startsWith('.')) {
    const target = relative(repo, resolve(from, '..', spec)).split('\\').join('/');
    const pkg = PACKAGES.find((p) => target === p || target.startsWith(p + '/'));
    const own = PACKAGES.find((p) => relative(repo, from).startsWith(p + '/'));
    return pkg && pkg !== own ? target : null;
  }
  return /^@ltask-web\/[^/]+\/(src|dist)\//.test(spec) ? spec : null;
};

describe('imports use public entries only', () => {
  const roots = ['game', 'examples', 'bench', 'docs', 'README.md', 'index.html', 'vite.config.ts'].map((r) => join(repo, r));
  const files = roots.flatMap((r) => (statSync(r).isDirectory() ? walk(r) : [r])).filter((f) => /\.(ts|mts|mjs|js|md|html)$/.test(f));

  it('finds the files it checks', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('no file of the demo, examples, benches or docs imports another package by path', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        const hit = intoPackage(s, f);
        if (hit) bad.push(`${relative(repo, f)}: "${s}"`);
      }
    }
    expect(bad, 'use the package name and a public entry (see the "exports" of the package.json)').toEqual([]);
  });

  it('the rule catches a path into another package', () => {
    expect(intoPackage('../../plugin-ltask/src/host/engine/plugin.ts', join(repo, 'game/src/main.ts'))).toBe('plugin-ltask/src/host/engine/plugin.ts');
    expect(intoPackage('@ltask-web/plugin-ltask/src/native/types.ts', join(repo, 'game/natives/x.ts'))).not.toBeNull();
    expect(intoPackage('./hud.ts', join(repo, 'game/src/main.ts'))).toBeNull();
  });
});
