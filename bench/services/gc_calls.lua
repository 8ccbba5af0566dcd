-- Garbage per call: 20,000 sequential calls to an echo service pinned on the
-- other worker (bench:runtime runs it under `node --trace-gc` and counts each
-- worker's scavenges against gc_none.lua, the same start without the calls).
local ltask = require "ltask"
local echo = ltask.spawn_service { name = "echo", worker_id = 1 - ltask.worker_id() }
for i = 1, 20000 do ltask.call(echo, "ping", i) end
ltask.send(echo, "quit")
