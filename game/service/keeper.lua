-- An idle anonymous service the director holds (label "npc-keeper"). ltask's rule
-- stops the runtime when its last anonymous service ends; NPCs are the only
-- anonymous services of the page, so without this one, quitting them all
-- (director.stop, or moving to an NPC-free world) would stop the runtime.
local ltask = require "ltask"
local S = {}
function S.ping(v) return v end
function S.quit() ltask.quit() end
return S
