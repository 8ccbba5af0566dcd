-- ltask's public service API, exercised in ltask's style. Its output is
-- compared line for line with native ltask's (test/plugin-ltask/compat/expected).
local ltask = require "ltask"
local coroutine = require "coroutine" -- ltask removes the global (this runtime keeps it)

local line = require("compat_util").line

local echo = ltask.spawn("compat_echo")
line("spawn", type(echo))

-- call: several results, nil in the middle
line("call", ltask.call(echo, "echo", 1, nil, "three"))
line("call none", select("#", ltask.call(echo, "echo")))

-- send: in order, seen by the next call
for i = 1, 5 do ltask.send(echo, "push", i) end
line("send order", ltask.call(echo, "log"))

-- errors: a table keeps its fields; a string comes without its file:line: prefix
local ok, e = pcall(ltask.call, echo, "fail_table", 42)
line("table error", ok, type(e), e.code, e.why)
ok, e = pcall(ltask.call, echo, "fail_string", "Error : 5")
line("string error", ok, (tostring(e):match("^[^\n]*")))
ok = pcall(ltask.call, echo, "no_such_request")
line("unknown request", ok)

-- current_session: the caller's address
line("session from self", ltask.call(echo, "session_from") == ltask.self())

-- async: several requests, one wait
local a = ltask.async()
for i = 1, 3 do a:request(echo, "push", 10 + i) end
a:wait()
line("async", ltask.call(echo, "log"))

-- sleep, timeout and fork order
local order = {}
ltask.timeout(2, function() order[#order + 1] = "timeout" end)
ltask.fork(function() order[#order + 1] = "fork" end)
ltask.sleep(5)
order[#order + 1] = "slept"
line("order", table.concat(order, ","))

-- wait / wakeup / interrupt, single and multi
local token = {}
ltask.fork(function() ltask.wakeup(token, "woken", 7) end)
line("wait", ltask.wait(token))
ltask.fork(function() ltask.interrupt(token, "interrupted") end)
ok, e = pcall(ltask.wait, token)
line("interrupt", ok, (tostring(e):match("^[^\n]*")))
local multi, got = {}, {}
for i = 1, 3 do
  ltask.fork(function()
    local v = ltask.multi_wait(multi)
    got[#got + 1] = i .. ":" .. v
  end)
end
ltask.sleep(1)
ltask.multi_wakeup(multi, "m")
ltask.sleep(1)
line("multi", table.concat(got, ","))

-- parallel: every result, sorted (completion order depends on timing)
local results = {}
for t, r in ltask.parallel {
  { ltask.call, echo, "sleep_then", 3, "slow" },
  { ltask.call, echo, "echo", "fast" },
  { function(x, y) return x * y end, 6, 7 },
} do
  results[#results + 1] = tostring(r[1])
end
table.sort(results)
line("parallel", table.concat(results, ","))

-- names
local u1 = ltask.uniqueservice("compat_echo")
local u2 = ltask.uniqueservice("compat_echo")
line("unique", u1 == u2, ltask.queryservice("compat_echo") == u1)
local s = ltask.spawn_service { name = "compat_echo", args = {} }
line("spawn_service", ltask.call(s, "echo", "ok"))

-- pack / unpack, syscall, thread_info
line("pack", ltask.unpack(ltask.pack(1, "two", true)))
line("memory", type(ltask.syscall(echo, "memory")))
local co = coroutine.create(function(x, y) local z = x + y; coroutine.yield(z) end)
coroutine.resume(co, 2, 3)
local info = ltask.thread_info(co)
line("thread_info", info.x, info.y, info.z)

-- a coroutine wrapper in ltask's style around blocking calls
local wrap = require "compat_cowrap"
local w = wrap.wrap(function(v)
  ltask.sleep(1)
  local r = ltask.call(echo, "echo", v)
  wrap.yield("mid")
  return r .. "!"
end)
line("wrapped", w("x"), w())

-- dispatch: a second, different handler for a name is refused
local f = function() end
ltask.dispatch { compat_probe = f }
line("dispatch twice", (pcall(ltask.dispatch, { compat_probe = function() end })))

-- quit: the services end, then calls to them fail
for _, addr in ipairs { echo, s } do ltask.call(addr, "stop") end
ltask.sleep(1)
line("after quit", (pcall(ltask.call, echo, "echo")))
ltask.call(u1, "stop")
line("done")
ltask.quit()
