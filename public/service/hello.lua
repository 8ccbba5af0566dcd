-- A tiny Lua service: the demo page and the browser tests call it.
local ltask = require "ltask"
local greeting = ... or "hello"
local S = {}

function S.greet(who)
  return ("%s, %s (from Lua service %d on worker %d)"):format(greeting, who, ltask.self(), ltask.worker_id())
end

return S
