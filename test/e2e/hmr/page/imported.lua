local arg = ...
local S = {}
function S.version() return "imported v1 " .. arg end
return S
