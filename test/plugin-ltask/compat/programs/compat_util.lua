-- Printing for the compatibility programs: one line, values joined by spaces.
return {
  line = function(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    print(table.concat(t, " "))
  end,
}
