-- The server side of compat_api.lua, in ltask's style.
local ltask = require "ltask"
local S = {}
local log = {}

function S.echo(...) return ... end
function S.push(v) log[#log + 1] = v end
function S.log() return table.concat(log, ",") end
function S.fail_table(code) error({ code = code, why = "table error" }) end
function S.fail_string(msg) error(msg) end
function S.sleep_then(cs, v) ltask.sleep(cs) return v end
function S.session_from()
  local s = ltask.current_session()
  return s.from
end
function S.stop() ltask.quit() end
return S
