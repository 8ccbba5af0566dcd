-- gc_calls.lua without its calls: the scavenges of a start, for bench:runtime.
local ltask = require "ltask"
local echo = ltask.spawn_service { name = "echo", worker_id = 1 - ltask.worker_id() }
ltask.send(echo, "quit")
