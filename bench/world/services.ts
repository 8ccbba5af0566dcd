/**
 * The Lua services of `npm run bench:world` (given to LtaskPlugin as `sources`,
 * in Node and in the page alike).
 *
 * - `mover`: moves M entities on the App's clock (`world.on_tick`). Every tick
 *   it writes the frame it read (`frame`, as a float) into px, py and pz of its
 *   entities: in mode "world" with `world.set` (one command per entity), in
 *   mode "send" by `ltask.send(director, "moved", slot, positions)` (today's
 *   request/snapshot pattern). It records the real time between its ticks and,
 *   in mode "world", reads one of its entities back from the snapshot each
 *   tick and counts torn triples (px, py, pz not all equal).
 * - `director`: keeps the last positions each mover sent; `snapshot()` returns
 *   them all (the App asks with one `Ltask.request` in flight at a time).
 * - `probe`: lists the shared entities' ids, and times `world.set` / `world.get`
 *   against a local table write / read inside one service.
 */
export const WORLD_SOURCES: Record<string, string> = {
  'service/mover.lua': `
local ltask = require "ltask"
local world = require "world"
local S = {}
local mode, ids, m, director, slot
local last, gaps, ng = nil, {}, 0
local ticks, torn, reads = 0, 0, 0
local sent_fail = 0
local out = { px = 0, py = 0, pz = 0 }

local function tick(dt, elapsed, frame)
  local now = ltask.counter()
  if last then ng = ng + 1; gaps[ng] = (now - last) * 1000 end
  last = now
  ticks = ticks + 1
  local v = frame + 0.0
  if mode == "world" then
    local id = ids[ticks % m + 1]
    local x = world.get(id, "Transform", "px")
    if x ~= nil then
      reads = reads + 1
      if x ~= world.get(id, "Transform", "py") or x ~= world.get(id, "Transform", "pz") then torn = torn + 1 end
    end
    out.px, out.py, out.pz = v, v, v
    for i = 1, m do world.set(ids[i], "Transform", out) end
  else
    local t = {}
    for i = 1, 3 * m do t[i] = v end
    if not pcall(ltask.send, director, "moved", slot, t) then sent_fail = sent_fail + 1 end
  end
end

--- start { mode = "world" | "send", ids = { id... } (world), m, director, slot (send) }
function S.start(o)
  mode, ids, m, director, slot = o.mode, o.ids, o.m, o.director, o.slot
  return true
end

function S.go()
  world.on_tick(tick)
  return true
end

--- What was measured since the last call: { gaps = { ms... }, ticks, torn, reads, sent_fail }
function S.take()
  local r = { gaps = gaps, ticks = ticks, torn = torn, reads = reads, sent_fail = sent_fail }
  gaps, ng, ticks, torn, reads, sent_fail = {}, 0, 0, 0, 0, 0
  return r
end

return S
`,
  'service/director.lua': `
local S = {}
local pos = {}
local got = 0
function S.moved(slot, t)
  pos[slot] = t
  got = got + 1
end
--- { positions of mover 1, of mover 2, ... } (each { x1, y1, z1, x2, ... }), and the messages since the last snapshot.
function S.snapshot()
  local n = got
  got = 0
  return pos, n
end
return S
`,
  'service/probe.lua': `
local ltask = require "ltask"
local world = require "world"
local S = {}

--- The ids of every entity with a Transform, as of the last frame.
function S.ids() return world.query("Transform") end

-- One timed loop of n iterations of body(k); batches of at most 'batch'
-- per step (a step's writes go to the command ring whole: at most half the ring).
local function timed(n, batch, body)
  local total = 0
  local done = 0
  while done < n do
    local k = math.min(batch, n - done)
    local t0 = ltask.counter()
    body(k)
    total = total + (ltask.counter() - t0)
    done = done + k
    ltask.sleep(batch < n and 1 or 0) -- ends the step: the writes are committed, the App drains them
  end
  return total * 1e9 / n -- ns per iteration
end

--- ns per operation of each kind, loop overhead included: the best of 'reps' timed
--- runs after one warm-up run (fengari's hot paths are compiled by V8 as they run;
--- the best run is the one least disturbed by the other threads on a shared machine).
function S.micro(n, reps)
  local id, why
  for _ = 1, 300 do
    local ok, v = pcall(world.spawn, { Transform = { px = 0, py = 0, pz = 0 } })
    if ok then id = v break end
    why = v
    ltask.sleep(1)
  end
  if not id then error("probe: no entity id in 3 s: " .. tostring(why)) end
  for _ = 1, 300 do
    if world.alive(id) then break end
    ltask.sleep(1)
  end
  if not world.alive(id) then
    local tm = world.time()
    error(("probe: entity %d not in the snapshot after 3 s (frame %s, %d entities)"):format(id, tostring(tm and tm.frame), #world.query("Transform")))
  end
  local t = { px = 0, py = 0, pz = 0 }
  local tbl = { px = 0, py = 0, pz = 0 }
  local sink = 0
  -- A read that finds no entity (must not happen: the id is alive) is counted, with what the step saw.
  local misses, seen = 0, nil
  local function miss()
    misses = misses + 1
    if not seen then
      local tm = world.time()
      seen = ("frame %s, alive %s, %d entities"):format(tostring(tm and tm.frame), tostring(world.alive(id)), #world.query("Transform"))
    end
    return 0
  end
  local missing = setmetatable({}, { __index = function() return miss() end })
  local batch = 8000 -- 3 words per set: 24,000 words, under half the 2^17-word ring
  local kinds = {
    local_set = { n, function(k) for i = 1, k do t.px = i end end },
    local_get = { n, function(k) local s = 0 for i = 1, k do s = s + t.px end sink = sink + s end },
    world_set = { batch, function(k) for i = 1, k do world.set(id, "Transform", "px", i) end end },
    world_get = { n, function(k) local s = 0 for i = 1, k do s = s + (world.get(id, "Transform", "px") or miss()) end sink = sink + s end },
    local_set3 = { n, function(k) for i = 1, k do t.px, t.py, t.pz = i, i, i end end },
    world_set3 = { batch // 2, function(k) for i = 1, k do tbl.px, tbl.py, tbl.pz = i, i, i world.set(id, "Transform", tbl) end end },
    world_get_table = { n, function(k) local s = 0 for i = 1, k do s = s + (world.get(id, "Transform") or missing).px end sink = sink + s end },
  }
  local r = {}
  for name, kind in pairs(kinds) do
    timed(n // 4, kind[1], kind[2]) -- warm-up
    local runs = {}
    for j = 1, reps do runs[j] = timed(n, kind[1], kind[2]) end
    table.sort(runs)
    r[name] = runs[1]
  end
  world.despawn(id)
  r.sink = sink
  r.misses, r.miss_seen = misses, seen
  return r
end

return S
`,
};
