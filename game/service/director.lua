-- The director (a unique service, `ltask.uniqueservice "director"`): runs one world's
-- NPCs. start(world, epoch) reads the world and its npcs from levels, builds the
-- walkability grid from the world's chunks (one query, see levels.grid), and spawns
-- one npc service per row, pinned to worker 1. Each NPC spawns and moves its own
-- entity in the App's world (npc.lua); the director only starts and stops them and
-- takes the page's talk requests.
local ltask = require "ltask"

local levels = ltask.uniqueservice "levels"
local S = {}

local NPC_WORKER = 1

local world            -- the current worlds row (with npcs), or nil
local grid             -- { w, h, walk } of the current world
local order = {}       -- addresses in id order
local by_id = {}       -- id -> { addr, id, name, kind, knot }
local story            -- the compiled ink story (JSON), after the first talk
local compiling = false
local starting = false
local keeper           -- an idle anonymous service: see keep_alive

--- ltask's rule: when the last anonymous service ends, the runtime stops. NPCs are
--- anonymous and the page's services are unique, so quitting every NPC (stop, or an
--- NPC-free world) would stop the runtime; an idle anonymous keeper prevents it.
local function keep_alive()
  if keeper then return end
  keeper = ltask.spawn_service { name = "keeper", label = "npc-keeper" }
end

local function spawn_npc(row, info)
  local opts = { name = "npc", args = { ltask.self(), row, info }, worker_id = NPC_WORKER, label = ("npc %d %s"):format(row.id, row.name) }
  local ok, addr = pcall(ltask.spawn_service, opts)
  if not ok and tostring(addr):find("invalid worker_id", 1, true) then
    opts.worker_id = nil -- a one-worker runtime: place it anywhere
    addr = ltask.spawn_service(opts)
  elseif not ok then
    error(addr, 0)
  end
  return addr
end

local function decode_patrol(json)
  local out = {}
  for px, pz in json:gmatch("%[%s*(%-?[%d%.eE+]+)%s*,%s*(%-?[%d%.eE+]+)%s*%]") do
    out[#out + 1] = { tonumber(px), tonumber(pz) }
  end
  return out
end

local function quit_all(list)
  local n = 0
  for _, addr in ipairs(list) do
    if pcall(ltask.send, addr, "quit") then n = n + 1 end
  end
  return n
end

--- S.start(world_id [, epoch]) -> { world = the worlds row (npcs included, as levels.world gives it), npcs = n, ms }
--- Spawns the world's NPCs, then quits the previous world's (each despawns its entity).
--- `epoch` (the page's world load, default 0) goes into every NPC's Npc.epoch: the page
--- shows the NPCs of its current load only.
function S.start(world_id, epoch)
  while starting do ltask.sleep(1) end -- one start at a time
  starting = true
  local ok, result = pcall(function()
    local t0 = ltask.counter()
    keep_alive()
    local row = ltask.call(levels, "world", world_id)
    assert(row, "no world " .. tostring(world_id))
    local g = ltask.call(levels, "grid", world_id)
    assert(g, "world " .. tostring(world_id) .. " has no chunks")
    local info = { w = g.w, h = g.h, walk = g.walk, world = world_id, epoch = epoch or 0 }
    local old = order
    local fresh_order, fresh_ids = {}, {}
    for _, n in ipairs(row.npcs) do
      local r = { world = n.world, id = n.id, name = n.name, kind = n.kind, x = n.x, z = n.z, patrol = decode_patrol(n.patrol), knot = n.knot }
      local addr = spawn_npc(r, info)
      fresh_order[#fresh_order + 1] = addr
      fresh_ids[n.id] = { addr = addr, id = n.id, name = n.name, kind = n.kind, knot = n.knot }
    end
    world, grid = row, g
    order, by_id = fresh_order, fresh_ids
    quit_all(old)
    return { world = row, npcs = #fresh_order, ms = (ltask.counter() - t0) * 1000 }
  end)
  starting = false
  if not ok then error(result, 0) end
  return result
end

--- S.talk(id) -> { id, knot, name, kind, story = compiled ink JSON (main.ink) } or nil when no
--- such NPC. The NPC stands still ('talk') for 3 s of game time. The first talk compiles the story.
function S.talk(id)
  local rec = by_id[id]
  if not rec then return nil end
  local knot = ltask.call(rec.addr, "talk")
  while compiling do ltask.sleep(1) end
  if not story then
    compiling = true
    local ok, json = pcall(ltask.call, ltask.uniqueservice "dialogue", "compile")
    compiling = false
    if not ok then error(json, 0) end
    story = json
  end
  return { id = id, knot = knot, name = rec.name, kind = rec.kind, story = story }
end

--- S.stop() -> how many NPCs were asked to quit.
function S.stop()
  local n = quit_all(order)
  order, by_id, world, grid = {}, {}, nil, nil
  return n
end

--- S.grid() -> the current world's { w, h, walk } (nil before start).
function S.grid() return grid end

function S.quit()
  quit_all(order)
  if keeper then pcall(ltask.send, keeper, "quit") end
end

function S.ping(v) return v end
return S
