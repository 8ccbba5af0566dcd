-- Runs one program under native ltask (lua5.4 + the ltask.so built from its
-- source): test/plugin-ltask/compat/programs for scripts/ltask-compat/run-native.sh,
-- bench/services for bench/ltask.mjs.
-- usage: lua5.4 launch.lua <ltask source dir> <programs dir> <main service name> [workers] [dir of ltask.so]
-- (default 2 workers, ltask.so in the source dir)
local ltask_dir, programs, main, workers, so_dir = ...
package.path = ltask_dir .. "/lualib/?.lua;" .. package.path
package.cpath = (so_dir or ltask_dir) .. "/?.so;" .. package.cpath
local boot = require "ltask.bootstrap"

local function read(path)
  local f = assert(io.open(path))
  local s = f:read "a"
  f:close()
  return s
end

local service_path = ltask_dir .. "/service/?.lua;" .. programs .. "/?.lua"
local service_lua = ltask_dir .. "/lualib/service.lua"
local initfunc = ([=[
local name = ...
package.path = [[%s]]
local filename, err = package.searchpath(name, [[%s]])
if not filename then return nil, err end
return loadfile(filename)
]=]):format(programs .. "/?.lua;" .. ltask_dir .. "/lualib/?.lua", service_path)

local bootstrap = dofile(ltask_dir .. "/lualib/bootstrap.lua")
local ctx = bootstrap.start {
  core = { worker = assert(math.tointeger(tonumber(workers or 2)), "workers: a whole number") },
  root = {
    bootstrap = {
      { name = "timer", unique = true },
      { name = "logger", unique = true },
      { name = main },
    },
    service_source = read(service_lua),
    service_chunkname = "@" .. service_lua,
    initfunc = initfunc,
  },
  root_initfunc = initfunc,
}
bootstrap.wait(ctx)
