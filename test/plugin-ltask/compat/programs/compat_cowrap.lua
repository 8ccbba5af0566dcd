-- A coroutine wrapper written the way ltask's test/coroutine.lua works: user
-- yields carry the tag "USER"; any other yield comes from the ltask framework
-- and is passed on outward, and the values that resume the outer coroutine are
-- passed back in. Services load it with require and replace `coroutine`.
local raw = require "coroutine"
local create, resume, yield, status = raw.create, raw.resume, raw.yield, raw.status

local M = {}
local mine = setmetatable({}, { __mode = "k" })

function M.create(f)
  local co = create(f)
  mine[co] = true
  return co
end

local function step(co, ok, tag, ...)
  if not ok then return false, tag, ... end
  if status(co) == "dead" then return true, tag, ... end
  if tag == "USER" then return true, ... end
  -- the framework's yield: hand it outward, and its answer back in
  return step(co, resume(co, yield(tag, ...)))
end

function M.resume(co, ...)
  if not mine[co] then return false, "not a wrapped coroutine" end
  return step(co, resume(co, ...))
end

function M.yield(...)
  return yield("USER", ...)
end

function M.wrap(f)
  local co = M.create(f)
  return function(...)
    local r = table.pack(M.resume(co, ...))
    if not r[1] then error(r[2], 0) end
    return table.unpack(r, 2, r.n)
  end
end

M.status = raw.status
M.running = raw.running
M.isyieldable = raw.isyieldable
return M
