// The house plan, held by tests (docs/ARCHITECTURE.md, "The map"):
// - plugin-ltask/src is laid out by thread and contract, and each folder
//   imports only the folders below it (the table FOLDER_RULES);
// - `api/` holds types only (users write against it; it compiles to nothing);
// - no hub files: no source file over 400 lines, no function over 80 (the
//   packages' sources and the game's: game/src, game/natives);
// - a class declares its state in one place, before its constructor and methods;
// - no `@internal` members: what users must not touch lives behind an internal
//   type or entry, not on a public class.
// Each rule is run once on a deliberate violation, so a rule that stopped
// seeing anything would fail here too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
const sources = (pkg: string) => walk(join(repo, pkg, 'src')).filter((f) => /\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts'));
const parse = (file: string, text = readFileSync(file, 'utf8')) => ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);

/**
 * What each folder of plugin-ltask/src may import besides itself. Threads
 * (host, worker, carrier) never import each other; they meet in `entries/`,
 * the only folder that composes across threads and the one package.json's
 * "exports" name.
 */
export const FOLDER_RULES: Record<string, readonly string[]> = {
  api: ['wire'],
  wire: [],
  platform: ['wire', 'api'],
  worker: ['wire', 'api', 'platform'],
  carrier: ['wire', 'api', 'platform'],
  services: ['wire', 'api'],
  host: ['wire', 'api', 'platform'],
  vite: ['wire'],
  entries: ['api', 'wire', 'platform', 'host', 'worker', 'carrier', 'services', 'vite'],
};
/** The package's own import aliases (package.json "imports") and the folder they point into. */
const ALIASES: Record<string, string> = { '#platform': 'platform', '#spawn': 'platform' };

/** Import specifiers of a module: static, dynamic, type-only and re-exports. */
export function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The violations of FOLDER_RULES by one import of `file` (a path relative to plugin-ltask/src). */
export function folderViolation(file: string, spec: string): string | null {
  const from = file.split('/')[0]!;
  let to: string | undefined;
  if (spec in ALIASES) to = ALIASES[spec];
  else if (spec.startsWith('.')) {
    const target = relative('.', join(dirname(file), spec.replace(/\?.*$/, '')));
    if (target.startsWith('..')) return `${file}: "${spec}" leaves the package's sources`;
    to = target.split(sep)[0];
  }
  if (to === undefined || to === from || !(from in FOLDER_RULES)) return null;
  return FOLDER_RULES[from]!.includes(to) ? null : `${file}: ${from}/ may not import ${to}/ ("${spec}")`;
}

/** Functions (declarations, methods, arrows, accessors) longer than `max` lines. */
export function longFunctions(sf: ts.SourceFile, max = 80): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const b = sf.getLineAndCharacterOfPosition(n.end).line;
      const name = (n as ts.FunctionLikeDeclaration).name?.getText(sf) ?? ts.SyntaxKind[n.kind];
      if (b - a + 1 > max) out.push(`${sf.fileName}:${a + 1} ${name} (${b - a + 1} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Classes with a field declared after their constructor or a method. */
export function scatteredState(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isClassLike(n)) {
      let seenBehaviour = false;
      for (const m of n.members) {
        if (ts.isPropertyDeclaration(m) && !(m.initializer && ts.isArrowFunction(m.initializer))) {
          if (seenBehaviour) out.push(`${sf.fileName}:${sf.getLineAndCharacterOfPosition(m.getStart(sf)).line + 1} ${n.name?.getText(sf) ?? 'class'}.${m.name.getText(sf)}`);
        } else if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isAccessor(m)) seenBehaviour = true;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Top-level statements of an `api/` file that are not types. */
export function notTypes(sf: ts.SourceFile): string[] {
  return sf.statements
    .filter(
      (s) =>
        !ts.isInterfaceDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s) &&
        !(ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) &&
        !(ts.isExportDeclaration(s) && s.isTypeOnly),
    )
    .map((s) => `${sf.fileName}:${sf.getLineAndCharacterOfPosition(s.getStart(sf)).line + 1} ${ts.SyntaxKind[s.kind]}`);
}

const PLUGIN = join(repo, 'plugin-ltask/src');
const rel = (f: string) => relative(PLUGIN, f).split(sep).join('/');

describe('plugin-ltask/src: folders by thread and contract', () => {
  const files = walk(PLUGIN).filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith('.d.ts'));

  it('every folder is in the plan', () => {
    const top = [...new Set(files.map((f) => rel(f).split('/')[0]!))].filter((t) => !t.includes('.'));
    expect(top.sort()).toEqual(Object.keys(FOLDER_RULES).sort());
    expect(files.filter((f) => !rel(f).includes('/')), 'sources live in a folder').toEqual([]);
  });

  it('each folder imports only the folders below it', () => {
    const bad = files.flatMap((f) => specifiers(readFileSync(f, 'utf8')).map((s) => folderViolation(rel(f), s)).filter((v) => v !== null));
    expect(files.length).toBeGreaterThan(40);
    expect(bad).toEqual([]);
  });

  it('api/ holds types only', () => {
    const api = files.filter((f) => rel(f).startsWith('api/'));
    expect(api.length).toBeGreaterThan(1);
    expect(api.flatMap((f) => notTypes(parse(f)))).toEqual([]);
  });

  it('the rules fail on deliberate violations', () => {
    expect(folderViolation('worker/scheduler.ts', '../services/root/index.ts')).toMatch(/worker\/ may not import services\//);
    expect(folderViolation('services/root/index.ts', '../../worker/queue.ts')).toMatch(/services\/ may not import worker\//);
    expect(folderViolation('wire/table.ts', '../api/native.ts')).toMatch(/wire\/ may not import api\//);
    expect(folderViolation('host/runtime.ts', '../entries/index.ts')).toMatch(/host\/ may not import entries\//);
    expect(folderViolation('host/runtime.ts', '#spawn')).toBeNull();
    expect(folderViolation('host/runtime.ts', '../wire/protocol.ts')).toBeNull();
    expect(notTypes(parse('api/x.ts', 'export interface A { a: number }\nexport const B = 1;\n'))).toEqual(['api/x.ts:2 FirstStatement']);
  });
});

describe('no hub files', () => {
  const files = [
    ...sources('plugin-ltask'),
    ...sources('engine'),
    ...sources('game'),
    ...walk(join(repo, 'game/natives')).filter((f) => /\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts')),
  ];

  it('no source file over 400 lines', () => {
    const big = files.map((f) => [relative(repo, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => relative(repo, f).startsWith(`game${sep}src`)).length).toBeGreaterThan(10);
    expect(files.filter((f) => relative(repo, f).startsWith(`game${sep}natives`)).length).toBeGreaterThan(3);
    expect(big).toEqual([]);
  });

  it('no function over 80 lines', () => {
    expect(files.flatMap((f) => longFunctions(parse(f))).map((l) => relative(repo, l))).toEqual([]);
  });

  it("a class's state is declared in one place, before its behaviour", () => {
    expect(files.flatMap((f) => scatteredState(parse(f))).map((l) => relative(repo, l))).toEqual([]);
  });

  it('no @internal members on what the packages export', () => {
    expect(files.filter((f) => /@internal\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(repo, f))).toEqual([]);
  });

  it('the rules fail on deliberate violations', () => {
    const long = `function f() {\n${'  x++;\n'.repeat(80)}}\n`;
    expect(longFunctions(parse('x.ts', long))).toEqual(['x.ts:1 f (82 lines)']);
    expect(longFunctions(parse('x.ts', `const g = () => {\n${'  x++;\n'.repeat(78)}};\n`))).toEqual([]);
    const scattered = 'class A {\n  a = 1;\n  constructor() {}\n  m() {}\n  b = 2;\n}\n';
    expect(scatteredState(parse('x.ts', scattered))).toEqual(['x.ts:5 A.b']);
    expect(scatteredState(parse('x.ts', 'class A {\n  a = 1;\n  b = 2;\n  m() {}\n}\n'))).toEqual([]);
  });
});
