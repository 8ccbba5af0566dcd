-- One NPC of the current world: it spawns its own entity in the App's world and
-- moves it every tick of the App's clock (`world.on_tick`: once per frame in which
-- game time moved, so a paused or slowed game slows NPCs like the player).
-- Spawned by the director (pinned to worker 1) with args `director, row, map`:
--   row: an npcs row { world, id, name, kind, x, z, patrol = { {x, z}, ... }, knot }
--        (kind 'villager' | 'guard' | 'critter'; patrol decoded to a Lua table, cyclic)
--   map: { w, h, walk, world, epoch } walk: a byte string, one byte per world tile
--        (index tz*w + tx), 0 walkable, 1 blocked; epoch: the page's world load,
--        written into Npc.epoch. A position (x, z) is on tile (floor(x), floor(z)).
-- Its first tick spawns its entity; each tick writes the entity's Transform (x, z and the facing) and its Npc
-- component (state, ticks, the real time since its last tick in ms, moving). It
-- reads the player's position from the entity tagged Player. A guard that reaches
-- the player emits the Caught event (at most once per 3 s of game time).
--   villager: walks its patrol, pausing at waypoints; stands still ('idle') while the player is within 1.5 tiles.
--   guard:    walks its patrol; chases the player within 5 tiles, gives up beyond 9 and walks back its trail.
--   critter:  wanders its patrol; flees the player within 4 tiles, walks back once the player is 7 tiles away.
-- States: 'patrol', 'chase', 'flee', 'talk', 'idle'.
-- It follows the game's flow (the App's `StateChanged` events of state "Game"): outside
-- 'playing' (loading, title, won) it stands still ('idle'; a guard neither chases nor
-- catches) and it goes on when 'playing' comes back. An event reaches only the NPCs that
-- listened before its frame, and the bridge has no "current state" to read, so an NPC that
-- has heard none yet plays. The director starts NPCs while loading: they move unseen under
-- the loading screen until loading -> title (their listen is applied before director.start
-- answers, so before the load can end). An NPC restarted mid-game (hot reload) moves, and
-- so do NPCs in an App without the Game state.
local ltask = require "ltask"
local world = require "world"
local director, row, map = ...
assert(director and row and map, "npc: spawn with args director, row, map")

local S = {}
local id, kind = row.id, row.kind
local x, z = row.x, row.z
local patrol = row.patrol or {}
if #patrol == 0 then patrol = { { x, z } } end
local W, H, walk = map.w, map.h, map.walk
local epoch = map.epoch or 0

-- The page's indices (game/src/npc-world.ts: NPC_KINDS, NPC_STATES).
local KIND = { guard = 0, villager = 1, critter = 2 }
local STATE = { patrol = 0, chase = 1, flee = 2, talk = 3, idle = 4 }

local SPEED = { villager = 1.5, guard = 2.4, critter = 2.0 }
local RUN = { guard = 4.2, critter = 5.0 } -- chase / flee (the player runs 5.5 tiles/s)
local CHASE_NEAR, CHASE_FAR = 5, 9
local FLEE_NEAR, FLEE_FAR = 4, 7
local CATCH, CATCH_EVERY = 0.8, 3
local TALK_S = 3
local TURN = 15 -- facing: the share of the turn left made per second (0.25 per 60 Hz frame)

local state = "patrol"
local mode = "patrol"   -- what the NPC does when not talking: patrol / chase / flee / back
local target = #patrol > 1 and 2 or 1 -- the next waypoint: walk off at once
local pause_until = 0   -- game time (s)
local talk_until = 0
local last_caught = -math.huge
local px, pz -- the player, once known
local player -- the player's entity id, once found
local trail = {} -- positions left behind while chasing / fleeing, walked back afterwards
local running = true
local ticks = 0
local facing = math.pi -- radians around Y; 0: towards -z
local clock = 0 -- game time of the last tick (s)
local playing = true -- the game's flow: false while it is not 'playing' (see the StateChanged listener)
local last_tick -- ltask.counter() of the last tick

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

--- The player's position as of the last frame (the entity tagged Player), or nil.
local function read_player()
  local at = player and world.get(player, "Transform", "px")
  if not at then
    player = world.query("Player", "Transform")[1]
    if not player then return nil end
    at = world.get(player, "Transform", "px")
  end
  return at, world.get(player, "Transform", "pz")
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

local function chase(dt, now, d)
  drop_crumb()
  if d > CATCH then step_to(px, pz, RUN.guard * dt) end
  if player_dist() < CATCH and now - last_caught >= CATCH_EVERY then
    last_caught = now
    world.emit("Caught", { id = id, epoch = epoch })
  end
  return "chase"
end

local function tick(dt, now)
  if not playing then return "idle" end
  if now < talk_until then return "talk" end
  local d = player_dist()
  if kind == "guard" then
    if mode ~= "chase" and d < CHASE_NEAR then mode = "chase"
    elseif mode == "chase" and d > CHASE_FAR then mode = "back" end
    if mode == "chase" then return chase(dt, now, d) end
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

--- Turns toward the way it moved, a share of the turn left per tick.
local function turn(dx, dz, dt)
  local want = math.atan(-dx, -dz)
  local d = want - facing
  d = math.atan(math.sin(d), math.cos(d))
  facing = facing + d * math.min(1, TURN * dt)
end

local me -- this NPC's entity (spawned by its first tick)

--- Spawns this NPC's entity. A restarted service (hot reload) takes over from its
--- previous instance: that one's entity goes.
local function spawn_entity()
  for _, e in ipairs(world.query("Npc")) do
    if world.get(e, "Npc", "id") == id and world.get(e, "Npc", "epoch") == epoch then world.despawn(e) end
  end
  me = world.spawn("npc." .. kind, {
    Transform = { px = x, py = 0, pz = z, rx = 0, ry = math.sin(facing / 2), rz = 0, rw = math.cos(facing / 2) },
    Npc = { id = id, kind = KIND[kind], state = STATE.patrol, ticks = 0, gap = 0, moving = 0, epoch = epoch },
  })
end

-- The game's flow: stand still outside 'playing'; a chase or a flight ends there (walked back afterwards).
world.on("StateChanged", function(e)
  if e.state ~= "Game" then return end
  playing = e.to == "playing"
  if not playing and (mode == "chase" or mode == "flee") then mode = "back" end
end)

world.on_tick(function(dt, elapsed)
  if not running then return end
  if not me then spawn_entity() end
  local t = ltask.counter()
  local gap = last_tick and (t - last_tick) * 1000 or 0
  last_tick = t
  clock = elapsed
  px, pz = read_player()
  local x0, z0 = x, z
  dt = math.min(dt, 0.25)
  state = tick(dt, elapsed)
  ticks = ticks + 1
  local dx, dz = x - x0, z - z0
  local moving = dx * dx + dz * dz > 1e-8
  if moving then turn(dx, dz, dt) end
  world.set(me, "Transform", { px = x, pz = z, ry = math.sin(facing / 2), rw = math.cos(facing / 2) })
  world.set(me, "Npc", { state = STATE[state], ticks = ticks, gap = gap, moving = moving and 1 or 0 })
end)

--- S.talk() -> the ink knot of this NPC; it stands still ('talk') for 3 s of game time.
function S.talk()
  local now = world.time()
  talk_until = (now and now.elapsed or clock) + TALK_S
  state = "talk"
  if me then world.set(me, "Npc", "state", STATE.talk) end
  return row.knot
end

--- S.info() -> { id, name, kind, x, z, state, ticks, mode, entity }
function S.info()
  return { id = id, name = row.name, kind = kind, x = x, z = z, state = state, ticks = ticks, mode = mode, entity = me }
end

--- S.quit(): ends this NPC; its entity (and its parts) goes with it.
function S.quit()
  if not running then return end
  running = false
  if me then pcall(world.despawn, me) end
  ltask.quit()
end

function S.ping(v) return v end
return S
