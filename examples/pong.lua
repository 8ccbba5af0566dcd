local ltask = require "ltask"
local S = {}
function S.ping(n) return n * 2 end
function S.where() return ltask.worker_id() end
function S.bye() ltask.quit() end
return S
