-- Errors and waits across services, in ltask's style.
local ltask = require "ltask"

local line = require("compat_util").line

local echo = ltask.spawn("compat_echo")
local relay = ltask.spawn("compat_relay")

-- a table error through a relay keeps its fields
local ok, e = pcall(ltask.call, relay, "relay", echo, "fail_table", 7)
line("relayed table", ok, type(e), e.code, e.why)
-- a string error through a relay: its message first
ok, e = pcall(ltask.call, relay, "relay", echo, "fail_string", "deep")
line("relayed string", ok, (tostring(e):match("^[^\n]*")))
-- calls in flight from forks, answered in order of their sleeps
local got = {}
local done = {}
for i, cs in ipairs { 3, 1, 2 } do
  ltask.fork(function()
    local v = ltask.call(echo, "sleep_then", cs, i)
    got[#got + 1] = v
    if #got == 3 then ltask.wakeup(done) end
  end)
end
ltask.wait(done)
line("answers by time", table.concat(got, ","))
-- multi_interrupt reaches every waiter
local token, errs = {}, {}
for i = 1, 2 do
  ltask.fork(function()
    local r, err = pcall(ltask.multi_wait, token)
    local text = tostring(r) .. ":" .. (tostring(err):match("^[^\n]*"))
    errs[#errs + 1] = text
  end)
end
ltask.sleep(1)
ltask.multi_interrupt(token, "stop waiting")
ltask.sleep(1)
line("multi_interrupt", table.concat(errs, ","))
-- wakeup with several values
local t2 = {}
ltask.fork(function() ltask.wakeup(t2, 1, nil, 3) end)
line("wakeup values", select("#", ltask.wait(t2)), ltask.wait == ltask.wait)
ltask.call(relay, "stop")
ltask.call(echo, "stop")
line("done")
ltask.quit()
