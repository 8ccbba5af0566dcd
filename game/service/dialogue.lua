-- Compiles ink dialogue with the ink native module; the main file and each
-- INCLUDE are read from the io service while the compiler waits.
local ltask = require "ltask"
local ink = ltask.native "ink"
local io = ltask.queryservice "io"
local S = {}

--- S.compile([main]) -> story JSON (for inkjs's Story), { files, warnings, authorMessages, ms }
function S.compile(main)
  local t0 = ltask.counter()
  local r = ink.compile(main or "assets/dialogue/main.ink", { read = function(p) return ltask.call(io, "read", p) end })
  return r.json, { files = r.files, warnings = r.warnings, authorMessages = r.authorMessages, ms = (ltask.counter() - t0) * 1000 }
end

function S.ping(v) return v end
return S
