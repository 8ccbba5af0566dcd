-- Level queries on a SQLite database read page by page: the sqlite native
-- module's VFS asks for byte ranges, each an io "read" (an HTTP Range request
-- with the fetch backend). Spawn argument: the database path (default assets/levels.db).
local ltask = require "ltask"
local sqlite = ltask.native "sqlite"
local io = ltask.queryservice "io"
local DB = ... or "assets/levels.db"
local S = {}

-- size: the real file size (one stat per new connection), so a truncated file
-- reads short and SQLite reports it as malformed instead of reading past its end.
local dbio = {
  read = function(path, offset, length) return ltask.call(io, "read", path, offset, length) end,
  size = function(path) return ltask.call(io, "stat", path).size end,
}

--- S.query(sql [, params]) -> rows, stats ({ reads, bytesRead, pagesRead, pageSize, fileSize, ms })
function S.query(sql, params)
  local r = sqlite.query(DB, sql, params or {}, dbio)
  return r.rows, r.stats
end

--- S.find(name) -> the level's row (nil if none), stats
function S.find(name)
  local rows, stats = S.query("SELECT * FROM levels WHERE name = ?", { name })
  return rows[1], stats
end

--- S.get(id) -> the level's row (nil if none), stats
function S.get(id)
  local rows, stats = S.query("SELECT * FROM levels WHERE id = ?", { id })
  return rows[1], stats
end

--- S.count([world]) -> number of levels (in one world), stats
function S.count(world)
  local rows, stats
  if world then
    rows, stats = S.query("SELECT count(*) AS n FROM levels WHERE world = ?", { world })
  else
    rows, stats = S.query "SELECT count(*) AS n FROM levels"
  end
  return rows[1].n, stats
end

--- S.list(world, difficulty) -> { id, name, par_time } rows ordered by id, stats
function S.list(world, difficulty)
  return S.query("SELECT id, name, par_time FROM levels WHERE world = ? AND difficulty = ? ORDER BY id", { world, difficulty })
end

-- ---------------------------------------------------------------- the game's worlds
-- Tables worlds, chunks (16 x 16 tiles, WITHOUT ROWID, key (world, cx, cz)) and
-- npcs (WITHOUT ROWID, key (world, id)); see game/content/levels.mjs.

--- Sums the stats of several queries: { reads, bytesRead, pagesRead, pageSize, fileSize, queries, ms }.
local function sum(t0, ...)
  local out = { reads = 0, bytesRead = 0, pagesRead = 0, queries = 0 }
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    out.reads = out.reads + s.reads
    out.bytesRead = out.bytesRead + s.bytesRead
    out.pagesRead = out.pagesRead + s.pagesRead
    out.pageSize, out.fileSize = s.pageSize, s.fileSize
    out.queries = out.queries + 1
  end
  out.ms = (ltask.counter() - t0) * 1000
  return out
end

--- S.worlds() -> number of worlds, stats
function S.worlds()
  local t0 = ltask.counter()
  local rows, stats = S.query "SELECT count(*) AS n FROM worlds"
  return rows[1].n, sum(t0, stats)
end

--- S.world(id) -> the worlds row { id, name, par_time, chunks_x, chunks_z, spawn_x, spawn_z,
--- exit_x, exit_z, coins, palette (JSON string), intro, npcs = { npcs rows, by id;
--- patrol a JSON string } } (nil if none), stats (two queries)
function S.world(id)
  local t0 = ltask.counter()
  local rows, s1 = S.query("SELECT * FROM worlds WHERE id = ?", { id })
  local row = rows[1]
  if not row then return nil, sum(t0, s1) end
  local npcs, s2 = S.query("SELECT * FROM npcs WHERE world = ? ORDER BY id", { id })
  row.npcs = npcs
  return row, sum(t0, s1, s2)
end

--- S.chunk(world, cx, cz) -> { world, cx, cz, tiles (256-byte string, index z*16 + x),
--- props (JSON string) } or nil, stats: exactly one query
function S.chunk(world, cx, cz)
  local t0 = ltask.counter()
  local rows, stats = S.query("SELECT world, cx, cz, tiles, props FROM chunks WHERE world = ? AND cx = ? AND cz = ?", { world, cx, cz })
  return rows[1], sum(t0, stats)
end

-- Tile code -> walkability byte: grass and path walk (0), water, rock and hedge block (1).
local WALK = { ["\0"] = "\0", ["\1"] = "\0" }
setmetatable(WALK, { __index = function() return "\1" end })

--- S.grid(world) -> { w, h, walk } (walk: one byte per world tile, index tz*w + tx,
--- 0 walkable, 1 blocked) or nil, stats: one query over the world's chunks
function S.grid(world)
  local t0 = ltask.counter()
  -- A connection of its own (closed after): the chunk queries of the streaming
  -- world then read their pages from io as the player walks, not from this cache.
  local r = sqlite.query(DB, "SELECT cx, cz, tiles FROM chunks WHERE world = ? ORDER BY cz, cx", { world }, dbio, { cache = false })
  local rows, stats = r.rows, r.stats
  if #rows == 0 then return nil, sum(t0, stats) end
  local cw, ch = 0, 0
  for _, r in ipairs(rows) do
    if r.cx + 1 > cw then cw = r.cx + 1 end
    if r.cz + 1 > ch then ch = r.cz + 1 end
  end
  local lines = {} -- lines[tz + 1][cx + 1]: 16 bytes
  for tz = 1, ch * 16 do lines[tz] = {} end
  for _, r in ipairs(rows) do
    local walk = r.tiles:gsub(".", WALK)
    for z = 0, 15 do lines[r.cz * 16 + z + 1][r.cx + 1] = walk:sub(z * 16 + 1, z * 16 + 16) end
  end
  local w = cw * 16
  local out = {}
  for tz = 1, ch * 16 do
    local line = lines[tz]
    for cx = 1, cw do line[cx] = line[cx] or ("\1"):rep(16) end -- a missing chunk blocks
    out[tz] = table.concat(line)
  end
  return { w = w, h = ch * 16, walk = table.concat(out) }, sum(t0, stats)
end

--- S.use(path) -> the previous path: later queries go to another database
function S.use(path)
  local old = DB
  DB = path
  return old
end

--- S.close() -> how many connections were closed (the next query reopens the file)
function S.close() return sqlite.close(DB) end

function S.ping(v) return v end
return S
