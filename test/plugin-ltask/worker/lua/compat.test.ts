// lua/compat.ts: Lua 5.4's `<const>` dropped before fengari (5.3) compiles a
// source; `<close>` refused with an error that says why; strings, comments and
// positions untouched.
import { describe, expect, it } from 'vitest';
import { fromLua54 } from '../../../../plugin-ltask/src/worker/lua/compat.ts';

describe('fromLua54', () => {
  it('drops <const> attributes and keeps every line and column', () => {
    const src = 'local A <const> = 1\nlocal b <  const >, c = 2, 3\nreturn A + b + c\n';
    const out = fromLua54(src, 'x.lua');
    expect(out).not.toContain('const');
    expect(out.split('\n').map((l) => l.length)).toEqual(src.split('\n').map((l) => l.length));
    expect(out.indexOf('= 1')).toBe(src.indexOf('= 1'));
  });

  it('leaves strings and comments alone', () => {
    const src = [
      `local s = "a <const> in a string" .. 'and <close> here'`,
      '-- <close> in a comment',
      '--[==[ long <close> comment ]] still ]==]',
      'local t = [[ long <const> string ]]',
      'local u = "escaped \\" <close> quote"',
    ].join('\n');
    expect(fromLua54(src, 'x.lua')).toBe(src);
  });

  it('refuses <close> with the file, the line and the reason', () => {
    expect(() => fromLua54('local x = 1\n\nlocal f <close> = io.open("a")\n', 'svc.lua')).toThrow(
      /^svc\.lua:3: '<close>' needs Lua 5\.4 and this VM is Lua 5\.3 \(fengari\)/,
    );
  });

  it('leaves sources without attributes as they are (comparisons included)', () => {
    const src = 'if a < b and c <= d then return x<y end';
    expect(fromLua54(src, 'x.lua')).toBe(src);
  });
});
