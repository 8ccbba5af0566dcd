-- The client side of the Lua benches. Every figure is timed inside the worker
-- with ltask.counter (seconds, performance.now underneath): no host in the loop.
local ltask = require "ltask"
local counter = ltask.counter
local S = {}

-- n calls of ping, each timed; returns the per-call times (us) and the total (s).
function S.calls(addr, n, payload)
  local call = ltask.call
  local t = {}
  local t0 = counter()
  for i = 1, n do
    local a = counter()
    call(addr, "ping", payload)
    t[i] = (counter() - a) * 1e6
  end
  return t, counter() - t0
end

-- k one-way sends, then one call that acknowledges them all (messages arrive in order).
function S.sends(addr, k)
  local send = ltask.send
  local t0 = counter()
  for i = 1, k do send(addr, "count") end
  local got = ltask.call(addr, "take")
  return counter() - t0, got
end

-- n calls, `depth` in flight at once through ltask.async.
function S.pipelined(addr, n, depth)
  local t0 = counter()
  local done = 0
  while done < n do
    local a = ltask.async()
    for i = 1, depth do a:request(addr, "ping", i) end
    a:wait()
    done = done + depth
  end
  return counter() - t0, done
end

-- n times sleep(0): yield once and be resumed by the scheduler.
function S.sleeps(n)
  local t0 = counter()
  for i = 1, n do ltask.sleep(0) end
  return counter() - t0
end

-- n calls of ping, one every `cs` centiseconds (sleep between them): a runtime
-- that is mostly idle but not quite. Returns the total (s).
function S.paced(addr, n, cs)
  local t0 = counter()
  for i = 1, n do
    ltask.call(addr, "ping", i)
    ltask.sleep(cs)
  end
  return counter() - t0
end

-- n untimed calls of ping; returns the total (s). For throughput, where
-- per-call samples would only add work.
function S.loop(addr, n)
  local call = ltask.call
  local t0 = counter()
  for i = 1, n do call(addr, "ping", i) end
  return counter() - t0
end

function S.quit() ltask.quit() end

-- Spawns an echo server from this service: placed next to it (its parent's worker).
function S.server() return ltask.spawn("echo", "bench") end

return S
