-- The user ping-pong, as a new user writes it and runs it with `npx ltask`:
-- the main service spawns an echo service (default placement) and makes N
-- sequential calls, then N sends acknowledged by one call (in batches that fit
-- the default queue), then 200 async requests. Prints one line the bench parses.
local ltask = require "ltask"
local N = 20000
local echo = ltask.spawn("echo")
local c = ltask.counter
local t0 = c()
for i = 1, N do ltask.call(echo, "ping", i) end
local calls = (c() - t0) / N * 1e6
t0 = c()
local got = 0
for _ = 1, N // 1000 do
  for _ = 1, 1000 do ltask.send(echo, "count") end
  got = got + ltask.call(echo, "take")
end
local sends = c() - t0
assert(got == N // 1000 * 1000, "sends lost")
t0 = c()
local a = ltask.async()
for i = 1, 200 do a:request(echo, "ping", i) end
a:wait()
local async = (c() - t0) * 1e3
print(("pingpong calls_us=%.3f sends_s=%.4f async_ms=%.3f"):format(calls, sends, async))
ltask.send(echo, "quit")
