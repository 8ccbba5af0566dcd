local S = {}
function S.version() return "fetched v1" end
return S
