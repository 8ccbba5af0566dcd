-- Relays a call to another service (errors pass through it).
local ltask = require "ltask"
local S = {}
function S.relay(addr, name, ...) return ltask.call(addr, name, ...) end
function S.stop() ltask.quit() end
return S
