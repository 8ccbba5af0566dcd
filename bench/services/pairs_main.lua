-- Many pairs, as a user writes it: the main service spawns 16 clients, each
-- client spawns its echo server, and every client makes 4,000 sequential calls
-- to its server, all at once (after a warm-up round of 1,000). Runs unchanged
-- under native ltask and under `npx ltask` (bench/ltask.mjs runs both). Prints
-- one line the bench parses: the aggregate calls per second.
local ltask = require "ltask"
local PAIRS, CALLS, WARM = 16, 4000, 1000
local pairs_ = {}
for i = 1, PAIRS do
  local client = ltask.spawn("client", "bench")
  pairs_[i] = { client, ltask.call(client, "server") }
end
local function round(k)
  local a = ltask.async()
  for i = 1, PAIRS do a:request(pairs_[i][1], "loop", pairs_[i][2], k) end
  a:wait()
end
round(WARM)
local c = ltask.counter
local t0 = c()
round(CALLS)
local sec = c() - t0
print(("pairs calls_s=%.0f pairs=%d calls=%d"):format(PAIRS * CALLS / sec, PAIRS, CALLS))
for i = 1, PAIRS do
  ltask.send(pairs_[i][2], "quit")
  ltask.send(pairs_[i][1], "quit")
end
