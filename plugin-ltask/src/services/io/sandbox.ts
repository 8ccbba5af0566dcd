/**
 * Path rules of the io service: every path is relative to the asset root and
 * must stay inside it. Paths are checked and normalised before any backend sees
 * them, so a backend only ever receives clean `a/b/c` paths.
 */

/** An io error: its message always starts with `[io]`. */
export class IoError extends Error {
  constructor(
    message: string,
    /** A short machine-readable code: 'ENOENT', 'ERANGE', 'EINVAL', 'EACCES', 'ENOTDIR', 'EISDIR', 'ENOTSUP', 'EIO'. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'IoError';
  }
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Shows a path in an error message without control characters. */
export function showPath(p: string): string {
  // eslint-disable-next-line no-control-regex
  return p.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Checks a path and returns it normalised: segments joined by `/`, without
 * `.` segments, empty segments or resolved `..` segments. The asset root
 * itself is `''` (only when `allowRoot`, e.g. for `list('')`).
 * @throws IoError (code EACCES/EINVAL) for anything that is not a relative path inside the root.
 */
export function normalizePath(input: unknown, allowRoot = false): string {
  if (typeof input !== 'string') {
    throw new IoError(`[io] path must be a string, got ${input instanceof Uint8Array ? 'bytes (not valid UTF-8)' : input === null ? 'nil' : typeof input}`, 'EINVAL');
  }
  if (input.includes('\0')) throw new IoError(`[io] path contains a NUL byte: ${showPath(input)}`, 'EINVAL');
  if (input.includes('\\')) throw new IoError(`[io] backslashes are not allowed in paths (use /): ${showPath(input)}`, 'EINVAL');
  if (SCHEME.test(input)) throw new IoError(`[io] URLs are not allowed, only paths relative to the asset root: ${showPath(input)}`, 'EACCES');
  if (input.startsWith('/')) throw new IoError(`[io] absolute paths are not allowed, only paths relative to the asset root: ${showPath(input)}`, 'EACCES');
  const out: string[] = [];
  for (const seg of input.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new IoError(`[io] path escapes the asset root: ${showPath(input)}`, 'EACCES');
      out.pop();
    } else out.push(seg);
  }
  const path = out.join('/');
  if (path === '' && !allowRoot) throw new IoError(`[io] path names the asset root, not a file: ${JSON.stringify(input)}`, 'EINVAL');
  return path;
}

/** Checks an optional offset or length: absent (undefined/null) or a non-negative safe integer. */
export function checkCount(name: 'offset' | 'length', v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    const shown = typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : typeof v;
    throw new IoError(`[io] ${name} must be a non-negative integer, got ${shown}`, 'EINVAL');
  }
  return v;
}

export const notFound = (path: string) => new IoError(`[io] not found: ${showPath(path)}`, 'ENOENT');

/** A file was asked for at a directory's path. */
export const isDirectory = (path: string) => new IoError(`[io] is a directory, not a file: ${showPath(path)}`, 'EISDIR');

/** A directory was asked for at a file's path. */
export const notADirectory = (path: string) => new IoError(`[io] not a directory: ${showPath(path)}`, 'ENOTDIR');

export const outOfRange = (path: string, offset: number, length: number | undefined, size: number) =>
  new IoError(`[io] out of range: ${showPath(path)} offset ${offset} length ${length ?? 'rest'} (size ${size})`, 'ERANGE');

/**
 * The byte range a read covers, or an out-of-range error. `length` absent means
 * "to the end"; a range must lie wholly inside the file (offset == size with
 * length 0 or absent is the empty range at the end, and is allowed).
 */
export function rangeOf(path: string, size: number, offset = 0, length?: number): { start: number; end: number } {
  if (offset > size || (length !== undefined && offset + length > size)) throw outOfRange(path, offset, length, size);
  return { start: offset, end: length === undefined ? size : offset + length };
}
