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
