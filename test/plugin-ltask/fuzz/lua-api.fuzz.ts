/**
 * Fuzz target of the Lua service API: random arguments to every `ltask.*`
 * function, from a real Lua service in a real runtime (two workers).
 *
 * lua-api/random-args: a run spawns a service (`fuzzapi`, on worker 0 or 1)
 * and has it call a few `ltask` functions, picked from every function of the
 * `ltask` table, each with random arguments: nil, booleans, integers at the
 * edges, floats (NaN, inf, -0, huge), strings, tables (one with a metatable
 * that raises), functions (one that raises), coroutines, its own address,
 * a peer's. Each call runs in its own task (`ltask.fork`) under pcall: it
 * returns, raises a Lua error, or waits (the functions that wait by design:
 * wait, sleep, call...). The run's call answers (or is refused because the
 * service quit or failed), no worker is replaced, and a peer service on each
 * worker still answers afterwards.
 */
import fc from 'fast-check';
import { startRuntime, type LogEntry, type Runtime } from '@ltask-web/plugin-ltask';
import { runtimeInternals } from '@ltask-web/plugin-ltask/internal';
import type { Target } from './target.ts';

const VICTIM = `
local ltask = require "ltask"
local peer = ...
local S = {}

local names = {}
for k, v in pairs(ltask) do if type(v) == "function" then names[#names + 1] = k end end
table.sort(names)

local raising = setmetatable({}, {
  __index = function() error("index of a raising table") end,
  __newindex = function() error("newindex of a raising table") end,
  __tostring = function() error("tostring of a raising table") end,
  __len = function() error("len of a raising table") end,
  __call = function() error("call of a raising table") end,
})

local function arg(a)
  local t = a.t
  if t == "v" then return a.v end
  if t == "nil" then return nil end
  if t == "nan" then return 0/0 end
  if t == "inf" then return math.huge end
  if t == "-inf" then return -math.huge end
  if t == "-0" then return -0.0 end
  if t == "maxint" then return math.maxinteger end
  if t == "minint" then return math.mininteger end
  if t == "fn" then return function(...) return ... end end
  if t == "errfn" then return function() error("raised by an argument") end end
  if t == "co" then return coroutine.create(function() coroutine.yield(1) end) end
  if t == "deadco" then local co = coroutine.create(function() end); coroutine.resume(co); return co end
  if t == "self" then return ltask.self() end
  if t == "peer" then return peer end
  if t == "raising" then return raising end
  if t == "nested" then return { { { a.v } }, n = a.v } end
  error("unknown argument kind " .. tostring(t))
end

local function show(e)
  local ok, s = pcall(tostring, e)
  return ok and s or ("(" .. type(e) .. ")")
end

function S.names() return names end

-- Calls ltask[names[i]] with the arguments of each call, each in its own task.
-- Returns, per call, "ok", "error: ..." or "waiting" (still running a moment later).
function S.run(calls)
  local status = {}
  for i, c in ipairs(calls) do
    local name = names[(c.fn % #names) + 1]
    local args = {}
    for j = 1, c.n do args[j] = arg(c.args[j] or { t = "nil" }) end
    status[i] = "waiting"
    ltask.fork(function()
      local ok, e = pcall(ltask[name], table.unpack(args, 1, c.n))
      status[i] = ok and "ok" or ("error: " .. show(e))
    end)
  end
  ltask.sleep(1)
  local out = {}
  for i, c in ipairs(calls) do out[i] = names[(c.fn % #names) + 1] .. ": " .. status[i] end
  return out
end

return S
`;

const PEER = `
local ltask = require "ltask"
return { ping = function(x) return "pong", x, ltask.worker_id() end }
`;

/** Command-like strings that a random call must not send to root (they would end the runtime, which is allowed). */
const RESERVED = new Set(['quit', 'kill', 'exit', 'stop', 'abort', 'quit_ltask', 'shutdown']);

const value = fc.oneof(
  fc.constant(undefined).map(() => ({ t: 'nil' })),
  fc.boolean().map((v) => ({ t: 'v', v })),
  fc.oneof(fc.integer({ min: -5, max: 40 }), fc.integer(), fc.double({ noNaN: true })).map((v) => ({ t: 'v', v })),
  fc.string({ maxLength: 12 }).filter((s) => !RESERVED.has(s)).map((v) => ({ t: 'v', v })),
  fc.constantFrom('fuzzpeer', 'fuzzapi', 'io', 'nope', '', 'service.lua', '../x').map((v) => ({ t: 'v', v })),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }).map((v) => ({ t: 'v', v })),
  fc.dictionary(fc.constantFrom('name', 'args', 'worker_id', 'label', 'x'), fc.oneof(fc.integer({ min: -2, max: 4 }), fc.string({ maxLength: 6 }).filter((s) => !RESERVED.has(s)))).map((v) => ({ t: 'v', v })),
  fc.constantFrom('nan', 'inf', '-inf', '-0', 'maxint', 'minint', 'fn', 'errfn', 'co', 'deadco', 'self', 'peer', 'raising').map((t) => ({ t })),
  fc.integer({ min: 0, max: 9 }).map((v) => ({ t: 'nested', v })),
);

export const apiCalls = fc.record({
  worker: fc.constantFrom(0, 1),
  calls: fc.array(fc.record({ fn: fc.nat(200), n: fc.nat(4), args: fc.array(value, { maxLength: 4 }) }), { minLength: 1, maxLength: 6 }),
});

/** Functions that may wait by design (a token nobody wakes, a timer, a call to a service that waits). */
const MAY_WAIT = /^(wait|multi_wait|sleep|timeout|call|syscall|parallel|queryservice|uniqueservice|spawn|spawn_service|servicepath|async|quit|worker_bind|fork|mem_limit)$/;

/** A hang detector far above any machine's noise: a run answers within it or the service is hung. */
const HUNG_MS = 15_000;

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e)),
    );
  });

export function luaApiTargets(): Target[] {
  let rt: Runtime | undefined;
  let peers: number[] = [];
  const logs: LogEntry[] = [];
  return [
    {
      name: 'lua-api/random-args',
      shortRuns: 40,
      async setup() {
        rt = await startRuntime({
          workers: 2,
          watchdogMs: 5000,
          sources: { 'service/fuzzapi.lua': VICTIM, 'service/fuzzpeer.lua': PEER },
          onLog: (e) => void logs.push(e),
        });
        peers = [await rt.spawnService({ name: 'fuzzpeer', worker_id: 0 }), await rt.spawnService({ name: 'fuzzpeer', worker_id: 1 })];
      },
      async teardown() {
        await rt?.stop();
        rt = undefined;
      },
      property: () =>
        fc.asyncProperty(apiCalls, async ({ worker, calls }) => {
          const r = rt!;
          logs.length = 0;
          const victim = await within(r.spawnService({ name: 'fuzzapi', args: [peers[1 - worker]], worker_id: worker }), HUNG_MS, 'spawn');
          let out: string[] | undefined;
          try {
            out = await within(r.call<string[]>(victim, 'run', calls), HUNG_MS, 'the run');
          } catch (e) {
            // The service may have quit, bound itself elsewhere or failed: an answer all the same. A hang is not.
            if (/no answer in/.test((e as Error).message)) throw e;
          }
          if (process.env.FUZZ_VERBOSE) console.log(out ?? 'no answer (the service quit or failed)');
          for (const s of out ?? []) {
            const [name, status] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 2)];
            if (status === 'waiting' && !MAY_WAIT.test(name)) throw new Error(`ltask.${name} still running after its service's next turn: ${s}`);
            if (/assert|internal error|TypeError|RangeError|undefined is not|Cannot read prop/i.test(status)) throw new Error(`a JS or VM fault surfaced as a Lua error: ${s}`);
          }
          // The runtime still answers: both peers, with no worker replaced.
          for (const p of peers) {
            const [pong] = await within(r.callMulti(p, 'ping', 1), HUNG_MS, `peer ${p}`);
            if (pong !== 'pong') throw new Error(`peer ${p} answered ${String(pong)}`);
          }
          const replaced = runtimeInternals(r).replacedWorkers;
          if (replaced !== 0) throw new Error(`${replaced} workers replaced; logs: ${logs.map((l) => l.text).join(' | ').slice(0, 800)}`);
          try {
            await within(r.kill(victim), HUNG_MS, 'kill');
          } catch (e) {
            if (/no answer in/.test((e as Error).message)) throw e; // already gone: fine
          }
        }),
    },
  ];
}
