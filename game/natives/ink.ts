/**
 * The ink compiler (inkjs, pure JS) as a native module. The compiler reads every
 * `INCLUDE` through a synchronous file handler in the middle of parsing; here that
 * handler calls the Lua `read` callback, so included files come from the io service.
 *
 * @example Lua
 * ```lua
 * local ink = ltask.native "ink"
 * local r = ink.compile("dialogue/main.ink", {
 *     read = function(path) return ltask.call(io, "read", path) end })
 * -- r.json: the compiled story, for inkjs's `new Story(r.json)`
 * ```
 */
import { Compiler, CompilerOptions } from 'inkjs/full';
import { asBytes, type NativeModule } from '@ltask-web/plugin-ltask/native';
import { dirnameOf, expectCallback, joinPath, messageOf, normalisePath } from './util.ts';

/** The io table from Lua. */
export interface InkIo {
  /** The text (or UTF-8 bytes) of an ink file. */
  read(path: string): unknown;
}

/** Options of {@link compile}. */
export interface CompileOptions {
  /** ink's `countAllVisits` (visit counts for every knot and stitch). Default false. */
  countAllVisits?: boolean;
}

/** What `compile` returns. */
export interface CompileResult {
  /** The compiled story (`story.ToJson()`), what `new Story(json)` takes. */
  json: string;
  warnings: string[];
  /** `TODO:` lines and other author notes. */
  authorMessages: string[];
  /** Every file read, main file first (normalised paths). */
  files: string[];
  /** Wall time of the call, callbacks included (ms). */
  ms: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one file through the callback: its text, or an Error naming the path (with the callback's reason). */
function load(io: InkIo, path: string): string {
  let v: unknown;
  try {
    v = io.read(path);
  } catch (err) {
    throw new Error(`cannot read "${path}": ${messageOf(err)}`, { cause: err });
  }
  if (v === undefined || v === null || v === false) throw new Error(`cannot read "${path}"`);
  // A Lua string that is not valid UTF-8 arrives as bytes: no ink source, say so (not U+FFFD soup).
  let s: string;
  try {
    s = typeof v === 'string' ? v : strictUtf8.decode(asBytes(v));
  } catch (err) {
    throw new Error(`"${path}" is not UTF-8 text (${messageOf(err)})`, { cause: err });
  }
  if (s.includes('\0')) throw new Error(`"${path}" is not text: it holds NUL bytes`);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/**
 * Compiles the ink story whose main file is `mainPath`. INCLUDE paths are
 * relative to the main file's folder, as in inklecate. Throws an Error carrying the
 * compiler's messages when the story has errors.
 */
function compile(mainPath: unknown, io: unknown, options?: unknown): CompileResult {
  if (typeof mainPath !== 'string') throw new TypeError('[ink] compile(mainPath, io): mainPath must be a string');
  expectCallback('[ink] compile(mainPath, io)', io, 'read');
  const opts = (options ?? {}) as CompileOptions;
  const t0 = performance.now();
  const main = normalisePath(mainPath);
  const root = dirnameOf(main);
  const files = [main];
  let source: string;
  try {
    source = load(io, main);
  } catch (err) {
    // The main file is read before the compiler exists: give it the module's prefix too.
    throw new Error(`[ink] ${main}: ${messageOf(err)}`, { cause: err });
  }
  const compiler = new Compiler(
    source,
    new CompilerOptions(main, [], opts.countAllVisits === true, null, {
      ResolveInkFilename: (filename: string) => joinPath(root, filename),
      LoadInkFileContents: (path: string) => {
        files.push(path);
        // A throw here becomes a compiler error: "Failed to load: '<file>'".
        return load(io, path);
      },
    }),
  );
  let story;
  try {
    story = compiler.Compile();
  } catch (err) {
    // Compile() throws "Compilation failed." when it logged errors: report those.
    const errors = compiler.errors.length ? compiler.errors : [messageOf(err)];
    throw new Error(`[ink] ${main}: ${errors.join('\n')}`, { cause: err });
  }
  if (compiler.errors.length) throw new Error(`[ink] ${main}: ${compiler.errors.join('\n')}`);
  return {
    json: story.ToJson() ?? '',
    warnings: [...compiler.warnings],
    authorMessages: [...compiler.authorMessages],
    files,
    ms: performance.now() - t0,
  };
}

/**
 * A small pool: the compiler keeps no state between calls (each compile builds
 * its own parser and story), so carriers are interchangeable, and compiling is
 * CPU-bound JS that a second core speeds up when two services compile at once.
 */
export default {
  name: 'ink',
  instances: { max: 2 },
  functions: { compile },
} satisfies NativeModule;
