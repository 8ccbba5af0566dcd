-- A main service that fails while starting: the runner exits non-zero.
local function load_level(name)
  error("level " .. name .. " is missing")
end
load_level("intro")
