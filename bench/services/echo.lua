-- The server side of the Lua benches: echoes, counts one-way sends.
local n = 0
local S = {}
function S.ping(...) return ... end
function S.count() n = n + 1 end
-- Returns how many `count` sends arrived since the last take, and resets.
function S.take()
  local r = n
  n = 0
  return r
end
function S.quit() require("ltask").quit() end
return S
