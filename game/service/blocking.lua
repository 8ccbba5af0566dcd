-- The naive way, for the demo's "blocking loaders" contrast: the same chunk
-- query as levels.chunk, but every page read first waits the io latency
-- synchronously, inside this service's VM, on its worker (spawned on the NPCs'
-- worker: worker_id 1). A synchronous library that waits for its data on the
-- service's own thread does this; the NPC services on the worker stop ticking
-- while it waits. Spawn argument: the database path (default assets/levels.db).
local ltask = require "ltask"
local sqlite = ltask.native "sqlite"
local io = ltask.queryservice "io"
local DB = ... or "assets/levels.db"
local S = {}

local function spin(ms)
  local t = ltask.counter()
  while (ltask.counter() - t) * 1000 < ms do end
end

--- S.chunk(world, cx, cz, wait_ms) -> the chunk row (as levels.chunk), stats (+ blocked_ms)
function S.chunk(world, cx, cz, wait_ms)
  local blocked = 0
  local dbio = {
    read = function(path, offset, length)
      spin(wait_ms)
      blocked = blocked + wait_ms
      return ltask.call(io, "read", path, offset, length)
    end,
    size = function(path) return ltask.call(io, "stat", path).size end,
  }
  local r = sqlite.query(DB, "SELECT world, cx, cz, tiles, props FROM chunks WHERE world = ? AND cx = ? AND cz = ?", { world, cx, cz }, dbio, { cache = false })
  r.stats.blocked_ms = blocked
  return r.rows[1], r.stats
end

function S.ping(v) return v end
return S
