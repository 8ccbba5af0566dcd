-- The Lua side of bench/native.bench.ts. Times are taken in this worker with
-- ltask.counter (or on the carrier by bench_rtt): the host is not in the loop.
local ltask = require "ltask"
local rtt = ltask.native "bench_rtt"
local gltfpack = ltask.native "gltfpack"
local sqlite = ltask.native "sqlite"
local ink = ltask.native "ink"
local io = ltask.queryservice "io"
local counter = ltask.counter
local S = {}

--- n callbacks answering `size` bytes (not valid UTF-8, so they cross as bytes); carrier-side timings (us).
function S.rtt(n, size)
  local payload = string.rep("\255", size)
  return rtt.roundtrips(n, size, function() return payload end)
end

--- n native calls without callbacks, each timed here (us).
function S.calls(n)
  local t = {}
  for i = 1, n do
    local a = counter()
    rtt.noop()
    t[i] = (counter() - a) * 1e6
  end
  return t
end

--- Reads through a native callback that calls io: { bytes, ms } timed on the carrier.
function S.read_native(path, size, chunk)
  return rtt.read(path, size, chunk, function(p, o, l) return ltask.call(io, "read", p, o, l) end)
end

--- The same reads straight from Lua (no carrier): the baseline.
function S.read_lua(path, size, chunk)
  local t0 = counter()
  local bytes = 0
  for off = 0, size - 1, chunk do
    bytes = bytes + #ltask.call(io, "read", path, off, math.min(chunk, size - off))
  end
  return { bytes = bytes, ms = (counter() - t0) * 1000 }
end

--- n reads of `len` bytes straight from Lua, each timed here (us): the io part of a callback.
function S.io_reads(n, path, len)
  local t = {}
  for i = 1, n do
    local a = counter()
    ltask.call(io, "read", path, (i * 4096) % (1 << 20), len)
    t[i] = (counter() - a) * 1e6
  end
  return t
end

local function read(p) return ltask.call(io, "read", p) end
local dbio = { read = function(p, o, l) return ltask.call(io, "read", p, o, l) end }
local BY_NAME = "SELECT * FROM levels WHERE name = ?"
local cases = {
  gltf = function() return gltfpack.pack({ "-i", "assets/scene/scene.gltf", "-o", "o.glb" }, { read = read }) end,
  gltf_c = function() return gltfpack.pack({ "-i", "assets/scene/scene.gltf", "-o", "o.glb", "-c" }, { read = read }) end,
  obj = function() return gltfpack.pack({ "-i", "assets/models/crate.obj", "-o", "o.glb" }, { read = read }) end,
  sql_new = function() return sqlite.query("assets/levels.db", BY_NAME, { "old-bridge-1234" }, dbio, { cache = false }) end,
  sql_cached = function() return sqlite.query("assets/levels.db", BY_NAME, { "old-bridge-1234" }, dbio) end,
  sql_id = function(i) return sqlite.query("assets/levels.db", "SELECT * FROM levels WHERE id = ?", { 1 + (i * 7919) % 2000 }, dbio) end,
  ink = function() return ink.compile("assets/dialogue/main.ink", { read = read }) end,
}

--- n calls of one library case, each timed here (ms); also the time the module
--- measured inside the carrier (library + callbacks, without the call's dispatch).
function S.lib(case, n, from)
  local f = assert(cases[case], case)
  local t, inner = {}, {}
  for i = 1, n do
    local a = counter()
    local r = f((from or 0) + i)
    t[i] = (counter() - a) * 1000
    inner[i] = r.ms or r.stats.ms
  end
  return t, inner
end

return S
