-- One NPC of the current world: a gameplay tick at 10 Hz. Spawned by the director
-- (pinned to worker 1) with args `director, row, map`:
--   row: an npcs row { world, id, name, kind, x, z, patrol = { {x, z}, ... }, knot }
--        (kind 'villager' | 'guard' | 'critter'; patrol decoded to a Lua table, cyclic)
--   map: { w, h, walk } walk: a byte string, one byte per world tile (index tz*w + tx),
--        0 walkable, 1 blocked. A position (x, z) is on tile (floor(x), floor(z)).
-- Each tick it sends `moved(id, x, z, state, gap_ms)` to the director; a guard that
-- reaches the player sends `caught(id)` (at most once per 3 s). The director pushes
-- the player's position with `player(x, z)` when it changes.
--   villager: walks its patrol, pausing at waypoints; stands still ('idle') while the player is within 1.5 tiles.
--   guard:    walks its patrol; chases the player within 5 tiles, gives up beyond 9 and walks back its trail.
--   critter:  wanders its patrol; flees the player within 4 tiles, walks back once the player is 7 tiles away.
-- States: 'patrol', 'chase', 'flee', 'talk', 'idle'.
local ltask = require "ltask"
local director, row, map = ...
assert(director and row and map, "npc: spawn with args director, row, map")

local S = {}
local id, kind = row.id, row.kind
local x, z = row.x, row.z
local patrol = row.patrol or {}
if #patrol == 0 then patrol = { { x, z } } end
local W, H, walk = map.w, map.h, map.walk

local SPEED = { villager = 1.5, guard = 2.4, critter = 2.0 }
local RUN = { guard = 4.2, critter = 5.0 } -- chase / flee (the player runs 6 tiles/s)
local CHASE_NEAR, CHASE_FAR = 5, 9
local FLEE_NEAR, FLEE_FAR = 4, 7
local CATCH, CATCH_EVERY = 0.8, 3
local TALK_S = 3

local state = "patrol"
local mode = "patrol"   -- what the NPC does when not talking: patrol / chase / flee / back
local target = #patrol > 1 and 2 or 1 -- the next waypoint: walk off at once
local pause_until = 0
local talk_until = 0
local last_caught = -math.huge
local px, pz -- the player, once known
local trail = {} -- positions left behind while chasing / fleeing, walked back afterwards
local running = true
local ticks = 0

local function free(tx, tz)
  tx, tz = math.floor(tx), math.floor(tz)
  if tx < 0 or tz < 0 or tx >= W or tz >= H then return false end
  return walk:byte(tz * W + tx + 1) == 0
end

--- Moves toward (tx, tz) by at most `step`, sliding along blocked tiles. Returns the distance left.
local function step_to(tx, tz, step)
  local dx, dz = tx - x, tz - z
  local d = math.sqrt(dx * dx + dz * dz)
  if d < 1e-6 then return 0 end
  local k = math.min(1, step / d)
  local nx, nz = x + dx * k, z + dz * k
  if free(nx, nz) then x, z = nx, nz
  elseif free(nx, z) then x = nx
  elseif free(x, nz) then z = nz
  end
  dx, dz = tx - x, tz - z
  return math.sqrt(dx * dx + dz * dz)
end

--- Moves away from the player: straight away, else sideways.
local function step_away(step)
  local dx, dz = x - px, z - pz
  local d = math.sqrt(dx * dx + dz * dz)
  if d < 1e-6 then dx, dz, d = 1, 0, 1 end
  dx, dz = dx / d, dz / d
  for _, dir in ipairs { { dx, dz }, { -dz, dx }, { dz, -dx } } do
    local nx, nz = x + dir[1] * step, z + dir[2] * step
    if free(nx, nz) then x, z = nx, nz return true end
    if free(nx, z) and math.abs(dir[1]) > 0.3 then x = nx return true end
    if free(x, nz) and math.abs(dir[2]) > 0.3 then z = nz return true end
  end
  return false
end

local function drop_crumb()
  local last = trail[#trail]
  if not last or math.abs(last[1] - x) + math.abs(last[2] - z) > 0.5 then trail[#trail + 1] = { x, z } end
end

local function player_dist()
  if not px then return math.huge end
  local dx, dz = px - x, pz - z
  return math.sqrt(dx * dx + dz * dz)
end

local function walk_patrol(dt, now)
  if now < pause_until then return "idle" end
  local wp = patrol[target]
  if step_to(wp[1], wp[2], SPEED[kind] * dt) < 0.05 then
    target = target % #patrol + 1
    if kind == "villager" then pause_until = now + 1.0
    elseif kind == "critter" then pause_until = now + 0.4 end
  end
  return "patrol"
end

--- Walks back the trail (newest crumb first), then the patrol again.
local function walk_back(dt, now)
  local crumb = trail[#trail]
  if not crumb then mode = "patrol" return walk_patrol(dt, now) end
  if step_to(crumb[1], crumb[2], SPEED[kind] * dt) < 0.05 then trail[#trail] = nil end
  return "patrol"
end

local function tick(dt, now)
  if now < talk_until then return "talk" end
  local d = player_dist()
  if kind == "guard" then
    if mode ~= "chase" and d < CHASE_NEAR then mode = "chase"
    elseif mode == "chase" and d > CHASE_FAR then mode = "back" end
    if mode == "chase" then
      drop_crumb()
      if d > CATCH then step_to(px, pz, RUN.guard * dt) end
      if player_dist() < CATCH and now - last_caught >= CATCH_EVERY then
        last_caught = now
        pcall(ltask.send, director, "caught", id)
      end
      return "chase"
    end
  elseif kind == "critter" then
    if mode ~= "flee" and d < FLEE_NEAR then mode = "flee"
    elseif mode == "flee" and d > FLEE_FAR then mode = "back" end
    if mode == "flee" then
      drop_crumb()
      step_away(RUN.critter * dt)
      return "flee"
    end
  elseif d < 1.5 then
    return "idle" -- a villager stops for the player
  end
  if mode == "back" then return walk_back(dt, now) end
  return walk_patrol(dt, now)
end

ltask.fork(function()
  local last = ltask.counter()
  while running do
    ltask.sleep(10)
    if not running then break end
    local now = ltask.counter()
    local gap = (now - last) * 1000
    last = now
    state = tick(math.min(gap / 1000, 0.25), now)
    ticks = ticks + 1
    local ok, alive = pcall(ltask.send, director, "moved", id, x, z, state, gap)
    if ok and alive == false then running = false ltask.quit() end -- the director is gone
  end
end)

--- S.player(x, z): the player's position (pushed by the director).
function S.player(nx, nz) px, pz = nx, nz end

--- S.talk() -> the ink knot of this NPC; it stands still ('talk') for 3 s.
function S.talk()
  talk_until = ltask.counter() + TALK_S
  state = "talk"
  return row.knot
end

--- S.info() -> { id, name, kind, x, z, state, ticks, mode }
function S.info()
  return { id = id, name = row.name, kind = kind, x = x, z = z, state = state, ticks = ticks, mode = mode }
end

--- S.quit(): ends this NPC.
function S.quit()
  if not running then return end
  running = false
  ltask.quit()
end

function S.ping(v) return v end
return S
