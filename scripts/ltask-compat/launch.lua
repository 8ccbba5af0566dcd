-- Runs one program of test/plugin-ltask/compat/programs under native ltask (lua5.4 + the
-- ltask.so built from its source), for scripts/ltask-compat/run-native.sh.
-- usage: lua5.4 launch.lua <ltask source dir> <programs dir> <main service name>
local ltask_dir, programs, main = ...
package.path = ltask_dir .. "/lualib/?.lua;" .. package.path
package.cpath = ltask_dir .. "/?.so;" .. package.cpath
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
  core = { worker = 2 },
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
