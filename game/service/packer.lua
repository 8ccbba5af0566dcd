-- Packs a .gltf or .obj into a GLB with gltfpack (a native module). Every file
-- gltfpack opens (the model, then its .bin/.mtl and textures) is read from the
-- io service while the carrier waits; this service keeps serving meanwhile.
local ltask = require "ltask"
local gltfpack = ltask.native "gltfpack"
local io = ltask.queryservice "io"
local S = {}

--- S.pack(path [, opts]) -> glb, stats
--- opts.compress: meshopt compression (-c, decode with three's MeshoptDecoder);
--- opts.args: more gltfpack arguments. stats: { inputs, reads, bytes, ms, log }.
function S.pack(path, opts)
  opts = opts or {}
  local args = { "-i", path, "-o", "out.glb" }
  if opts.compress then args[#args + 1] = "-c" end
  for _, a in ipairs(opts.args or {}) do args[#args + 1] = a end
  local bytes = 0
  local t0 = ltask.counter()
  local r = gltfpack.pack(args, { read = function(p)
    local data = ltask.call(io, "read", p)
    bytes = bytes + #data
    return data
  end })
  return r.files["out.glb"], {
    inputs = r.inputs, reads = #r.inputs, bytes = bytes,
    ms = (ltask.counter() - t0) * 1000, log = r.log,
  }
end

function S.ping(v) return v end
return S
