-- The director (a unique service, `ltask.uniqueservice "director"`): runs one world's
-- NPCs. start(world) reads the world and its npcs from levels, builds the
-- walkability grid from the world's chunks (one query, see levels.grid), and spawns
-- one npc service per row, pinned to worker 1. NPCs report every tick (`moved`);
-- the page sends the player's position (`player`, ~10 Hz) and reads `snapshot`.
local ltask = require "ltask"

local levels = ltask.uniqueservice "levels"
local S = {}

local NPC_WORKER = 1
local GAPS_KEPT = 4096

local world            -- the current worlds row (with npcs), or nil
local grid             -- { w, h, walk } of the current world
local npcs = {}        -- address -> { addr, id, name, kind, knot, x, z, state, ticks }
local order = {}       -- addresses in id order
local by_id = {}       -- id -> record
local player_x, player_z
local ticks = 0        -- ticks of the current world's NPCs
local gaps, ngaps = {}, 0 -- tick gaps (ms) since the last snapshot
local caught = 0       -- catches since the last snapshot
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

local function forward_player()
  if not player_x then return end
  for _, addr in ipairs(order) do pcall(ltask.send, addr, "player", player_x, player_z) end
end

--- S.start(world_id) -> { world = the worlds row (npcs included, as levels.world gives it), npcs = n, ms }
--- Spawns the world's NPCs, then quits the previous world's.
function S.start(world_id)
  while starting do ltask.sleep(1) end -- one start at a time
  starting = true
  local ok, result = pcall(function()
    local t0 = ltask.counter()
    keep_alive()
    local row = ltask.call(levels, "world", world_id)
    assert(row, "no world " .. tostring(world_id))
    local g = ltask.call(levels, "grid", world_id)
    assert(g, "world " .. tostring(world_id) .. " has no chunks")
    local info = { w = g.w, h = g.h, walk = g.walk, world = world_id }
    local old = order
    local fresh, fresh_order, fresh_ids = {}, {}, {}
    for _, n in ipairs(row.npcs) do
      local r = { world = n.world, id = n.id, name = n.name, kind = n.kind, x = n.x, z = n.z, patrol = decode_patrol(n.patrol), knot = n.knot }
      local addr = spawn_npc(r, info)
      local rec = { addr = addr, id = n.id, name = n.name, kind = n.kind, knot = n.knot, x = n.x, z = n.z, state = "patrol", ticks = 0 }
      fresh[addr] = rec
      fresh_order[#fresh_order + 1] = addr
      fresh_ids[n.id] = rec
    end
    world, grid = row, g
    npcs, order, by_id = fresh, fresh_order, fresh_ids
    ticks, gaps, ngaps, caught = 0, {}, 0, 0
    player_x, player_z = row.spawn_x, row.spawn_z -- until the page says otherwise
    forward_player()
    quit_all(old)
    return { world = row, npcs = #fresh_order, ms = (ltask.counter() - t0) * 1000 }
  end)
  starting = false
  if not ok then error(result, 0) end
  return result
end

--- S.moved(id, x, z, state, gap_ms): an NPC's tick (sent by npc services). Reports of
--- NPCs of an earlier world are ignored.
function S.moved(id, x, z, state, gap)
  local rec = npcs[ltask.current_session().from]
  if not rec then return end
  rec.x, rec.z, rec.state, rec.ticks = x, z, state, rec.ticks + 1
  ticks = ticks + 1
  ngaps = ngaps + 1
  gaps[(ngaps - 1) % GAPS_KEPT + 1] = gap
end

--- S.caught(id): a guard reached the player (sent by npc services).
function S.caught(id)
  if npcs[ltask.current_session().from] then caught = caught + 1 end
end

--- S.player(x, z): the player's position (send it, ~10 Hz); pushed to the NPCs when it changed.
function S.player(x, z)
  if x == player_x and z == player_z then return end
  player_x, player_z = x, z
  forward_player()
end

--- S.snapshot() -> { world = id, npcs = { { id, name, kind, x, z, state, ticks }, ... },
--- ticks, gap_max_ms, gap_p99_ms, gaps (count), caught } (gaps and catches since the last snapshot)
function S.snapshot()
  local list = {}
  for _, addr in ipairs(order) do
    local r = npcs[addr]
    list[#list + 1] = { id = r.id, name = r.name, kind = r.kind, x = r.x, z = r.z, state = r.state, ticks = r.ticks }
  end
  local n = math.min(ngaps, GAPS_KEPT)
  local sorted = {}
  for i = 1, n do sorted[i] = gaps[i] end
  table.sort(sorted)
  local p99 = n > 0 and sorted[math.max(1, math.ceil(n * 0.99))] or 0
  local out = {
    world = world and world.id, npcs = list, ticks = ticks,
    gap_max_ms = sorted[n] or 0, gap_p99_ms = p99, gaps = ngaps, caught = caught,
  }
  gaps, ngaps, caught = {}, 0, 0
  return out
end

--- S.talk(id) -> { id, knot, name, kind, story = compiled ink JSON (main.ink) } or nil when no
--- such NPC. The NPC stands still ('talk') for 3 s. The first talk compiles the story.
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
  npcs, order, by_id, world, grid = {}, {}, {}, nil, nil
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
