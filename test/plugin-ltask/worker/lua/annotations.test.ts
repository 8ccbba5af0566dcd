// The LuaLS annotation files (plugin-ltask/lua/) against the API a running
// service has: every function `require "ltask"` gives (nested tables and the
// async object's methods included) is declared there, and nothing declared is
// gone; the functions the runtime refuses are `@deprecated` with the reason it
// gives; the system services' requests match their handlers. Without
// lua-language-server here, fengari checks that each file is valid Lua.
import { readdirSync, readFileSync } from 'node:fs';
import fengari from 'fengari';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../../../support/logs.ts';
import type { ServiceContext } from '../../../../plugin-ltask/src/api/service.ts';
import type { SystemContext } from '../../../../plugin-ltask/src/api/system.ts';
import io from '../../../../plugin-ltask/src/services/io/index.ts';
import { logger, timer } from '../../../../plugin-ltask/src/services/system.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;
const pkg = new URL('../../../../plugin-ltask/', import.meta.url);
const dir = new URL('lua/', pkg);
const files = readdirSync(dir).filter((f) => f.endsWith('.lua')).sort();
const text = (f: string) => readFileSync(new URL(f, dir), 'utf8');

/** A `function a.b(...)` or `function A:b(...)` of the annotation files, with its doc comment lines. */
interface Declared {
  name: string;
  params: string[];
  doc: string[];
}

/** 'ok' when fengari compiles `source` (and, with `run`, runs it), else the error. */
function luaLoad(source: string, name: string, run = false): string {
  const L = lauxlib.luaL_newstate()!;
  lualib.luaL_openlibs(L);
  let status = lauxlib.luaL_loadbufferx(L, to_luastring(source), null, to_luastring(`@${name}`), to_luastring('t'));
  if (status === lua.LUA_OK && run) status = lua.lua_pcall(L, 0, 0, 0);
  return status === lua.LUA_OK ? 'ok' : (lua.lua_tojsstring(L, -1) ?? 'error');
}
const luaRun = (source: string, name: string) => luaLoad(source, name, true);

/** The function declarations of one annotation file. */
function declarations(source: string): Declared[] {
  const lines = source.split('\n');
  const out: Declared[] = [];
  lines.forEach((line, i) => {
    const m = /^function ([\w.:]+)\(([^)]*)\)/.exec(line);
    if (!m) return;
    const doc: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j]!.startsWith('---'); j--) doc.unshift(lines[j]!);
    out.push({ name: m[1]!, params: m[2]!.split(',').map((p) => p.trim()).filter(Boolean), doc });
  });
  return out;
}

/** The integer constants of `ltask.X = { NAME = n, ... }` tables, as `X.NAME` -> n. */
function constants(source: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of source.matchAll(/^ltask\.(\w+) = \{\n((?: +\w+ = -?\d+,\n)+)\}/gm)) {
    for (const f of t[2]!.matchAll(/(\w+) = (-?\d+)/g)) out[`${t[1]}.${f[1]}`] = Number(f[2]);
  }
  return out;
}

const declared = files.flatMap((f) => declarations(text(f)));
/** The declarations under `prefix` (e.g. `ltask.`), by their name after it. */
const under = (prefix: string) => new Map(declared.filter((d) => d.name.startsWith(prefix)).map((d) => [d.name.slice(prefix.length), d]));

/** What is missing from the annotations and what they declare that the API no longer has. */
export function compare(annotated: Iterable<string>, live: Iterable<string>): { missing: string[]; stale: string[] } {
  const a = new Set(annotated);
  const l = new Set(live);
  return { missing: [...l].filter((n) => !a.has(n)).sort(), stale: [...a].filter((n) => !l.has(n)).sort() };
}

// Walks `require "ltask"`: each function (with the reason, for those that only
// raise one: their closures hold it as `reason`), each constant, and the methods
// of the object ltask.async() returns.
const WALKER = `
local ltask = require "ltask"
local function reason(f)
  for i = 1, 16 do
    local name = debug.getupvalue(f, i)
    if name == nil then return nil end
    if name == "reason" then
      local _, err = pcall(f)
      return (tostring(err):match("does not exist here: (.*)$"))
    end
  end
end
local function walk(t, prefix, out)
  for k, v in pairs(t) do
    if type(v) == "function" then
      out[prefix .. k] = { kind = "function", refused = reason(v) }
    elseif type(v) == "table" then
      walk(v, prefix .. k .. ".", out)
    else
      out[prefix .. k] = { kind = type(v), value = v }
    end
  end
end
return {
  api = function()
    local out = {}
    walk(ltask, "", out)
    for k, v in pairs(getmetatable(ltask.async()).__index) do
      if type(v) == "function" then out["Async:" .. k] = { kind = "function" } end
    end
    return out
  end,
}
`;

// The functions of `require "world"` (there with or without a world shared).
const WORLD_WALKER = `
local world = require "world"
return {
  names = function()
    local out = {}
    for k, v in pairs(world) do if type(v) == "function" then out[#out + 1] = k end end
    return out
  end,
}
`;

type Entry = { kind: string; value?: number; refused?: string };
const logs = serviceLogs(); // before the stop below: checked after it
let rt: Runtime;
let api: Record<string, Entry>;
let worldApi: string[];
beforeAll(async () => {
  rt = await startRuntime({ workers: 1, sources: { 'service/walker.lua': WALKER, 'service/world_walker.lua': WORLD_WALKER }, onLog: logs.onLog });
  api = await rt.call<Record<string, Entry>>(await rt.spawn('walker'), 'api');
  worldApi = await rt.call<string[]>(await rt.spawn('world_walker'), 'names');
});
afterAll(() => rt?.stop());

const liveFunctions = () => Object.keys(api).filter((n) => api[n]!.kind === 'function');
const annotatedFunctions = () => [...under('ltask.').keys(), ...[...under('Async:').keys()].map((k) => `Async:${k}`)];

describe('LuaLS annotations (plugin-ltask/lua)', () => {
  it('declare every function of the live ltask module, and nothing it lacks', () => {
    expect(liveFunctions().length).toBeGreaterThan(50);
    expect(compare(annotatedFunctions(), liveFunctions())).toEqual({ missing: [], stale: [] });
  });

  it('declare every function of the live world module, and nothing it lacks', () => {
    expect(worldApi.length).toBeGreaterThan(10);
    expect(compare(under('world.').keys(), worldApi)).toEqual({ missing: [], stale: [] });
  });

  it('the comparison fails on a function left out or one the API lacks', () => {
    const live = liveFunctions();
    expect(compare(live.filter((n) => n !== 'log.error'), live)).toEqual({ missing: ['log.error'], stale: [] });
    expect(compare([...live, 'gone'], live)).toEqual({ missing: [], stale: ['gone'] });
  });

  it('give the wire codes the values the runtime has', () => {
    const live = Object.fromEntries(Object.entries(api).filter(([, e]) => e.kind === 'number').map(([n, e]) => [n, e.value]));
    expect(Object.keys(live).length).toBeGreaterThan(0);
    expect(constants(text('ltask.lua'))).toEqual(live);
  });

  it('mark exactly the refused functions @deprecated, with the reason the runtime raises', () => {
    const refused = Object.keys(api).filter((n) => api[n]!.refused !== undefined);
    expect(refused.length).toBeGreaterThan(10);
    const deprecated = [...under('ltask.')].filter(([, d]) => d.doc.includes('---@deprecated')).map(([n]) => n);
    expect(deprecated.sort()).toEqual(refused.sort());
    for (const n of refused) expect(under('ltask.').get(n)!.doc.join('\n'), n).toContain(api[n]!.refused);
  });

  it('describe each function in a line and annotate each of its parameters', () => {
    for (const d of declared) {
      expect(d.doc.some((l) => /^---[^@|\s-]/.test(l)), `${d.name}: a description line`).toBe(true);
      const documented = d.doc.flatMap((l) => /^---@param ([\w.]+)\??\s/.exec(l)?.[1] ?? []);
      expect(documented, `${d.name}: @param for each parameter`).toEqual(d.params);
    }
  });

  it("list the system services' requests as they answer them", async () => {
    const source = readFileSync(new URL('src/services/root/index.ts', pkg), 'utf8');
    const body = source.slice(source.indexOf('function handlers('), source.indexOf('\n}\n', source.indexOf('function handlers(')));
    const root = [...body.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]!);
    expect(root).toContain('spawn');
    expect([...under('RootRequests.').keys()].sort()).toEqual(root.sort());
    expect(under('RootRequests.').get('tracelog')!.doc).toContain('---@deprecated');

    const ctx = { self: 9, call: () => Promise.resolve() } as unknown as ServiceContext;
    const keys = async (h: unknown) => Object.keys((await h) as object).sort();
    // settings, peers, localStats, localReset: between the io instances of a runtime, not for services
    const internal = ['settings', 'peers', 'localStats', 'localReset'];
    const ioKeys = (await keys(io(ctx, { backend: 'memory', files: {} }))).filter((k) => !internal.includes(k));
    expect([...under('IoRequests.').keys()].sort()).toEqual(ioKeys);
    expect([...under('TimerRequests.').keys()].sort()).toEqual(await keys(timer(ctx)));
    expect([...under('LoggerRequests.').keys()].sort()).toEqual(await keys(logger(ctx, {} as SystemContext)));
  });

  it('are meta files that Lua 5.3 (fengari) loads and runs', () => {
    expect(files).toEqual(['ltask-service.lua', 'ltask-system.lua', 'ltask.lua', 'world.lua']);
    for (const f of files) {
      expect(text(f).split('\n')[0], f).toMatch(/^---@meta( \w+)?$/);
      expect(luaRun(text(f), f), f).toBe('ok');
    }
    expect(text('ltask.lua')).toMatch(/^---@meta ltask$/m);
    expect(luaRun('function broken(', 'broken.lua')).toMatch(/broken\.lua:1:/);
  });

  it('ship in the package; docs/lua-api.md says how to point LuaLS at them', () => {
    const json = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8')) as { files: string[] };
    expect(json.files).toContain('lua');
    const doc = readFileSync(new URL('../docs/lua-api.md', pkg), 'utf8');
    const section = doc.slice(doc.indexOf('## Editor support'));
    expect(section).toContain('"workspace.library": ["node_modules/@ltask-web/plugin-ltask/lua"]');
    expect(section).toContain('"Lua.workspace.library": ["node_modules/@ltask-web/plugin-ltask/lua"]');
    expect(section).toContain('"runtime.version": "Lua 5.3"');
    const example = /```lua\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example && luaLoad(example, 'example.lua')).toBe('ok');
  });
});
