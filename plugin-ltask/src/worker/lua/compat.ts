/**
 * Lua 5.4 syntax that fengari (Lua 5.3) cannot parse, handled before a source
 * is compiled: `<const>` attributes are dropped (a constant is an ordinary
 * local that is never assigned: the code means the same), and `<close>`, whose
 * meaning (a `__close` call at scope exit) 5.3 cannot give, is refused with an
 * error that says so, instead of fengari's "unexpected symbol near '<'".
 * Strings and comments are left alone; lines and columns do not move.
 */
export function fromLua54(source: string, chunkname: string): string {
  if (!source.includes('<')) return source;
  let out = '';
  let i = 0;
  let line = 1;
  const n = source.length;
  /** The end of a long bracket `[==[ ... ]==]` opened at `at`, or -1 if `at` opens none. */
  const longEnd = (at: number): number => {
    const m = /^\[(=*)\[/.exec(source.slice(at, at + 64));
    if (!m) return -1;
    const eq = m[1] ?? '';
    const close = source.indexOf(`]${eq}]`, at + m[0].length);
    return close < 0 ? n : close + eq.length + 2;
  };
  while (i < n) {
    const c = source[i]!;
    let end = -1;
    if (c === '-' && source[i + 1] === '-') {
      end = longEnd(i + 2);
      if (end < 0) {
        const nl = source.indexOf('\n', i);
        end = nl < 0 ? n : nl;
      }
    } else if (c === '[') {
      end = longEnd(i);
    } else if (c === '"' || c === "'") {
      end = i + 1;
      while (end < n && source[end] !== c && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
      end = Math.min(n, end + 1);
    } else if (c === '<') {
      const m = /^<\s*(const|close)\s*>/.exec(source.slice(i, i + 16));
      if (m) {
        if (m[1] === 'close') {
          throw new Error(`${chunkname}:${line}: '<close>' needs Lua 5.4 and this VM is Lua 5.3 (fengari): call the value's cleanup yourself at the end of the scope`);
        }
        out += ' '.repeat(m[0].length);
        i += m[0].length;
        continue;
      }
    }
    if (end > i) {
      const part = source.slice(i, end);
      for (const ch of part) if (ch === '\n') line++;
      out += part;
      i = end;
      continue;
    }
    if (c === '\n') line++;
    out += c;
    i++;
  }
  return out;
}
