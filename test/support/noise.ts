/**
 * What a user's `vite build` or dev server printed because of the packages:
 * any line that names them, fengari or its dependencies, a source map, or a
 * Node built-in vite externalized. An install test passes the output of each
 * command and expects `[]`.
 */
const PACKAGE_NOISE = /fengari|@ltask-web|ltask|readline-sync|sprintf-js|node_modules[\\/]tmp[\\/]|sourcemap|externalized/i;
/** A line of vite's report of what it wrote (`dist/assets/concat.ts.ltask-carrier-<hash>.js  16.10 kB`): not a warning. */
const SIZE_LINE = /^\S+\.(js|css|html|wasm)\s+[\d.,]+ kB(\s|$)/;

/** The lines of `output` (ANSI colours removed) that mention the packages. */
export function packageNoise(output: string): string[] {
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.split('\n').map((l) => l.trim()).filter((l) => PACKAGE_NOISE.test(l) && !SIZE_LINE.test(l));
}
