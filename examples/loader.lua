-- npx ltask examples/loader.lua --native test/fixtures/native/concat.ts --io-root test/fixtures/io --io-latency 100
-- A native library's synchronous read callback fetches through the io service;
-- meanwhile this service keeps answering its own requests.
local ltask = require "ltask"
local concat = ltask.native "concat"
local io = ltask.queryservice "io"

local answered = 0
ltask.dispatch { ping = function() answered = answered + 1 end }
local me = ltask.self()
ltask.fork(function()
  for i = 1, 20 do ltask.send(me, "ping"); ltask.sleep(1) end
end)

local t0 = ltask.counter()
local text = concat.concat({ "a.txt", "a.txt" }, { read = function(p) return ltask.call(io, "read", p) end })
print(("loaded %d bytes in %.0f ms; answered %d pings meanwhile"):format(#text, (ltask.counter() - t0) * 1000, answered))
ltask.quit() -- handlers are registered, so returning nil alone would keep the service
