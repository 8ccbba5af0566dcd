// Builds one workspace package to dist/: ESM JavaScript and .d.ts from src/
// with tsc, one file per module (so the Node runtime can start its workers
// from dist/entries/scheduler-worker.js and dist/entries/carrier-worker.js).
// Usage: node scripts/build-package.mjs <package dir>
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, statSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const dist = join(dir, 'dist');
const started = performance.now();
rmSync(dist, { recursive: true, force: true });

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2024', 'DOM', 'DOM.Iterable', 'WebWorker.ImportScripts'],
    types: ['node', 'vite/client'],
    strict: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    rewriteRelativeImportExtensions: true,
    declaration: true,
    sourceMap: true,
    // The maps carry their sources: the tarball holds no src/, and a dev
    // server that follows a map to a missing ../src/*.ts file warns for each.
    // The tarballs grow by what the sources gzip to (engine 94 -> 148 kB,
    // plugin-ltask 239 -> 379 kB), as they would shipping src/ itself.
    inlineSources: true,
    skipLibCheck: true,
    rootDir: 'src',
    outDir: 'dist',
    // Other workspace packages resolve to their built .d.ts, not their sources.
    customConditions: [],
  },
  include: ['src'],
  exclude: ['src/**/*.test.ts'],
};
const cfgPath = join(dir, 'tsconfig.build.json');
writeFileSync(cfgPath, JSON.stringify(tsconfig, null, 2));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', cfgPath], { stdio: 'inherit', cwd: dir });
} finally {
  rmSync(cfgPath, { force: true });
}

// tsc rewrites import specifiers, not the URLs bundlers and Node load workers
// from: `new URL('../entries/scheduler-worker.ts', import.meta.url)` must name the .js file.
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
let rewritten = 0;
for (const file of walk(dist)) {
  if (file.endsWith('.js')) {
    const src = readFileSync(file, 'utf8');
    const out = src.replace(/new URL\((['"`])(\.{1,2}\/[^'"`]+)\.ts\1/g, (_, q, p) => (rewritten++, `new URL(${q}${p}.js${q}`));
    if (out !== src) writeFileSync(file, out);
  }
}
// Text imports (`import text from './service.lua?raw'`, which vite resolves in
// the sources) become plain modules, so Node and any bundler load the build.
let texts = 0;
for (const file of walk(join(dir, 'src')).filter((f) => f.endsWith('.lua'))) {
  const to = join(dist, file.slice(join(dir, 'src').length));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
  writeFileSync(to + '.js', `export default ${JSON.stringify(readFileSync(file, 'utf8'))};\n`);
  texts++;
}
for (const file of walk(dist).filter((f) => f.endsWith('.js'))) {
  const src = readFileSync(file, 'utf8');
  const out = src.replace(/(from\s*)(['"])(\.{1,2}\/[^'"]+\.lua)\?raw\2/g, (_, f, q, p) => `${f}${q}${p}.js${q}`);
  if (out !== src) writeFileSync(file, out);
}
// Hand-written .d.ts (ambient module types) are not emitted by tsc.
for (const file of walk(join(dir, 'src')).filter((f) => f.endsWith('.d.ts'))) {
  const to = join(dist, file.slice(join(dir, 'src').length));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
const files = walk(dist);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`${pkg.name}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/ (${rewritten} worker URLs, ${texts} text modules) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
