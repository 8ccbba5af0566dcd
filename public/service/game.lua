-- The demo's game service: level progression, worlds, the packed model and the dialogue.
-- It orchestrates three services of game/service, each of which calls a native
-- module (sqlite, gltfpack, ink) whose synchronous read callbacks wait on the io
-- service. While one of them is suspended in its native call, this service and
-- the others keep answering (the page's services table shows it).
local ltask = require "ltask"

local levels = ltask.uniqueservice "levels"
local packer = ltask.uniqueservice "packer"
local dialogue = ltask.uniqueservice "dialogue"

local S = {}
local current = 0
local total

--- S.level([step]) -> the next (or step-th next) level: { id, name, world,
--- difficulty, par_time, description, tiles (768 bytes, 32 x 24), index, total, reads, ms }
function S.level(step)
  local t0 = ltask.counter()
  if not total then
    -- The meta table knows the count: a few pages, where count(*) would read them all.
    local rows = ltask.call(levels, "query", "SELECT value FROM meta WHERE key = 'count'")
    total = math.tointeger(tonumber(rows[1].value))
  end
  current = (current + (step or 1) - 1) % total + 1
  local row, stats = ltask.call(levels, "get", current)
  assert(row, "no level " .. current)
  row.index = current
  row.total = total
  row.reads = stats.reads
  row.ms = (ltask.counter() - t0) * 1000
  return row
end

--- S.world(id) -> the world's row with its npcs (levels.world), stats. The page may
--- as well call levels (world, chunk) and director (start, player, snapshot, talk) directly.
function S.world(id)
  return ltask.call(levels, "world", id)
end

--- S.model(path) -> GLB bytes (meshopt-compressed), packed by gltfpack from an
--- authored .obj/.gltf: the path asset source `ltask://game/model/<path>` calls this.
function S.model(path)
  local glb, stats = ltask.call(packer, "pack", path, { compress = true })
  ltask.log.info(("packed %s: %d inputs, %d bytes read, %.0f ms"):format(path, stats.reads, stats.bytes, stats.ms))
  return glb
end

--- S.dialogue([main]) -> ink story JSON, compiled from the .ink sources now.
function S.dialogue(main)
  local json, info = ltask.call(dialogue, "compile", main or "assets/dialogue/main.ink")
  return json, { files = info.files, ms = info.ms }
end

--- S.ping(v) -> v: answered at once, even while a native call above waits.
function S.ping(v) return v end

return S
