-- npx ltask examples/ping.lua --workers 2
-- Spawns a pong service (on the other worker when there is one), plays a few
-- rounds, prints the result, and quits; the runtime then exits with code 0.
local ltask = require "ltask"

local pong = ltask.spawn("pong")
local total = 0
for i = 1, 10 do
  total = total + ltask.call(pong, "ping", i)
end
local where = ltask.call(pong, "where")
print(("ping: 10 rounds, sum %d, pong on worker %d, ping on worker %d"):format(total, where, ltask.worker_id()))
ltask.send(pong, "bye")
return nil
