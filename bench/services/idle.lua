-- An idle service: the smallest thing worth counting (spawn time, heap).
return { ping = function() return true end }
