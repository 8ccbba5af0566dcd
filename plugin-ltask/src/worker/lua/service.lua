-- The service library: runs once in every Lua service's VM and gives it
-- ltask's API.
--
-- The runtime (lua-service.ts, coroutine.ts) drives the coroutines: it
-- resumes a pooled coroutine for each request, pushes the decoded arguments
-- straight onto its stack and encodes what the handler returns. A blocking
-- call (`ltask.call`, `sleep`, a native call...) is a `core` function that
-- sends its message and yields; the runtime resumes that coroutine with the
-- answer. So the per-message path runs no Lua-side dispatch loop, and a
-- coroutine yields only when it waits for something.
--
-- `core` (core-table.ts) holds the primitives written in TypeScript and the
-- wire codes from protocol.ts (system addresses included): this file writes no
-- number of its own.
local core = ...

local ROOT = core.ROOT
local ERROR = core.ERROR
local RESPONSE = core.RESPONSE
local DEAD = core.DEAD

local SELF = core.self
local LABEL = core.label

local co_running = coroutine.running
-- debug opens on first use (see lua-libs.ts): look it up only when needed.
local function traceback(...) return debug.traceback(...) end
local tpack, tunpack = table.pack, table.unpack

local ltask = {}
package.loaded.ltask = ltask

ltask.pack = core.pack
ltask.unpack = core.unpack
ltask.now = core.now
ltask.counter = core.counter
ltask.cpucost = core.cpucost
ltask.worker_id = core.worker_id

-- The wire codes, as protocol.ts defines them (a test keeps both sides equal).
ltask.MESSAGE = { SYSTEM = core.SYSTEM, REQUEST = core.REQUEST, RESPONSE = RESPONSE, ERROR = ERROR, SIGNAL = core.SIGNAL }
ltask.RECEIPT = { DONE = core.DONE, DEAD = DEAD, BUSY = core.BUSY }

function ltask.self() return SELF end
function ltask.label() return LABEL end

ltask.log = {}
for _, level in ipairs { "info", "error" } do
  ltask.log[level] = function(...)
    local t = tpack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    core.log(level, table.concat(t, "\t", 1, t.n))
  end
end
print = ltask.log.info

---------------------------------------------------------------- coroutines

-- A blocking ltask function suspends the coroutine the runtime resumed, even
-- when it is called inside a coroutine of the service's own: `coroutine.resume`
-- below sees that the inner coroutine waits in ltask (it yielded without the
-- user's mark), yields its own coroutine in turn, and when the runtime resumes
-- that one with the answer, passes the answer down. So `coroutine.wrap`,
-- nested coroutines and ltask's own coroutine.lua wrapper all work with
-- `ltask.call`, `sleep`, `wait`... A user's `coroutine.yield` carries a private
-- mark as its first value, which `resume` removes.
do
  local create, resume, yield, status = coroutine.create, coroutine.resume, coroutine.yield, coroutine.status
  local USER = {}
  local blocked = setmetatable({}, { __mode = "k" }) -- coroutine -> true while it waits in ltask

  local function wake(co, ...)
    blocked[co] = nil
    return resume(co, ...)
  end

  local function pass(co, ok, tag, ...)
    if not ok then return false, tag, ... end
    if status(co) == "dead" then return true, tag, ... end
    if tag == USER then return true, ... end
    blocked[co] = true
    return pass(co, wake(co, yield()))
  end

  function coroutine.resume(co, ...)
    if blocked[co] then return false, "cannot resume a coroutine that waits in an ltask function" end
    return pass(co, resume(co, ...))
  end

  function coroutine.yield(...)
    return yield(USER, ...)
  end

  function coroutine.status(co)
    if blocked[co] then return "blocked" end
    return status(co)
  end

  local function unwrap(ok, ...)
    if ok then return ... end
    error((...), 0)
  end

  function coroutine.wrap(f)
    local co = create(f)
    return function(...) return unwrap(coroutine.resume(co, ...)) end
  end
end

---------------------------------------------------------------- waiting

-- Raises a remote error: `text` is its message and traceback; `value`, when
-- the error object was not a string, the object itself (a table keeps its
-- fields; with no metatable of its own, tostring gives the text).
local function raise(text, value)
  if value == nil then error(text, 0) end
  if type(value) == "table" and getmetatable(value) == nil then
    setmetatable(value, { __tostring = function() return text end })
  end
  error(value, 0)
end

-- What a core function that yields is resumed with: (true, values...) for an
-- answer, (false, text, value) for an error; (nil, receipt) means the message
-- was not sent at all (the destination is dead or busy).
local function answer(addr, ok, ...)
  if ok then return ... end
  if ok == false then raise(...) end
  error(("{service:%s} is %s"):format(tostring(addr), (...) == DEAD and "dead" or "busy"), 3)
end

function ltask.call(addr, ...)
  return answer(addr, core.call(addr, ...))
end

function ltask.send(addr, ...)
  local r = core.send(addr, ...)
  if r == true then return true end
  if r == DEAD then return false end
  error(("{service:%s} is busy"):format(tostring(addr)), 2)
end

function ltask.sleep(cs)
  answer(nil, core.sleep(cs or 0))
end

function ltask.timeout(cs, f)
  core.timeout(cs or 0, f)
end

function ltask.fork(f, ...)
  return core.fork(f, ...)
end

function ltask.current_token()
  return co_running()
end

local waiting = {} -- token -> coroutine, or a list of coroutines (multi_wait)

function ltask.wait(token)
  local co = co_running()
  token = token == nil and co or token
  if waiting[token] ~= nil then error("ltask.wait: this token already has a waiter (use multi_wait)", 2) end
  waiting[token] = co
  return answer(nil, core.wait())
end

function ltask.multi_wait(token)
  local co = co_running()
  token = token == nil and co or token
  local list = waiting[token]
  if list == nil then
    waiting[token] = { co }
  elseif type(list) == "table" then
    list[#list + 1] = co
  else
    error("ltask.multi_wait: this token has a single waiter", 2)
  end
  return answer(nil, core.wait())
end

local function wake(token, multi, ok, ...)
  local w = waiting[token]
  if w == nil then return false end
  if (type(w) == "table") ~= multi then
    error(multi and "token has a single waiter: use wakeup/interrupt" or "token has many waiters: use multi_wakeup/multi_interrupt", 3)
  end
  waiting[token] = nil
  if multi then
    for i = 1, #w do core.wakeup(w[i], ok, ...) end
  else
    core.wakeup(w, ok, ...)
  end
  return true
end

function ltask.wakeup(token, ...) return wake(token, false, true, ...) end
function ltask.multi_wakeup(token, ...) return wake(token, true, true, ...) end
function ltask.interrupt(token, err) return wake(token, false, false, err) end
function ltask.multi_interrupt(token, err) return wake(token, true, false, err) end

---------------------------------------------------------------- sessions

function ltask.current_session()
  local from, session = core.session()
  return { from = from, session = session }
end

ltask.no_response = core.no_response

--- Answers a request later; s is what current_session() returned.
function ltask.response(s, ...)
  if s.session and s.session ~= 0 then core.respond(s.from, s.session, ...) end
end

local async = {}
async.__index = async
local session_cb = {} -- session -> function(ok, ...) of an async object

--- ltask.async(): several requests in flight, one wait for all of them.
function ltask.async()
  local obj = setmetatable({ _n = 0 }, async)
  obj._cb = function(ok, ...)
    obj._n = obj._n - 1
    if not ok and obj._err == nil then obj._err = tpack(...) end
    if obj._n == 0 and obj._waiting then
      obj._waiting = nil
      ltask.wakeup(obj)
    end
  end
  return obj
end

function async:request(addr, ...)
  local session, receipt = core.request(addr, ...)
  if not session then answer(addr, nil, receipt) end
  session_cb[session] = self._cb
  self._n = self._n + 1
  return self
end

function async:wait()
  if self._n > 0 then
    self._waiting = true
    ltask.wait(self)
  end
  local err = self._err
  if err ~= nil then
    self._err = nil
    raise(err[1], err[2])
  end
end

--- ltask.parallel{ {f, args...}, ... }: runs the tasks and returns an iterator of
--- (task, results) in completion order. As in ltask, a task starts when the one
--- before it blocks (or ends), not all at once: a fork that starts the next
--- task runs as soon as the running one waits.
function ltask.parallel(tasks)
  local n = #tasks
  local done, head, tail, token = {}, 0, 0, nil
  local function finish(t, ok, ...)
    local r
    if ok then
      r = tpack(...)
    else
      r = { error = (...), rethrow = function(self) error(self.error, 0) end }
    end
    tail = tail + 1
    done[tail] = { t, r }
    if token then
      local tk = token
      token = nil
      ltask.wakeup(tk)
    end
  end
  local function handler(err) return traceback(tostring(err), 2) end
  local next_index, starter = 0, false
  local run_next
  local function start() starter = false; run_next() end
  function run_next()
    next_index = next_index + 1
    local t = tasks[next_index]
    if t == nil then return end
    if not starter then
      starter = true
      ltask.fork(start)
    end
    finish(t, xpcall(t[1], handler, tunpack(t, 2)))
    return run_next()
  end
  if n > 0 then ltask.fork(run_next) end
  return function()
    if head == n then return end
    while head >= tail do
      token = {}
      ltask.wait(token)
    end
    head = head + 1
    local d = done[head]
    done[head] = nil
    return d[1], d[2]
  end
end

---------------------------------------------------------------- native modules

--- ltask.native "name": a proxy whose functions run on the module's carriers.
--- A call parks the calling coroutine; the service keeps serving meanwhile.
function ltask.native(name)
  return setmetatable({}, {
    __index = function(proxy, fn)
      local f = function(...) return answer(nil, core.native(name, fn, ...)) end
      rawset(proxy, fn, f)
      return f
    end,
  })
end

---------------------------------------------------------------- root calls

function ltask.spawn(name, ...) return ltask.call(ROOT, "spawn", name, ...) end
function ltask.uniqueservice(name, ...) return ltask.call(ROOT, "uniqueservice", name, ...) end
function ltask.queryservice(name) return ltask.call(ROOT, "queryservice", name) end
function ltask.spawn_service(t) return ltask.call(ROOT, "spawn_service", t) end

function ltask.servicepath(name) return ltask.call(ROOT, "servicepath", name) end

--- A system message to a service (ltask: `syscall`), e.g. ltask.syscall(addr, "memory").
function ltask.syscall(addr, ...)
  return answer(addr, core.syscall(addr, ...))
end

--- The coroutine the runtime runs for the current message (a request, fork or callback).
ltask.running = core.running

--- The traceback of every coroutine of this service that waits on a session.
ltask.backtrace = core.backtrace

function ltask.debuglog(...)
  local t = tpack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  core.log("info", "[debug] " .. table.concat(t, "\t", 1, t.n))
end

--- The local variables of a suspended coroutine's innermost function (and its name).
function ltask.thread_info(thread)
  -- the innermost function that is not this library's (coroutine.yield is a wrapper here)
  local level = 1
  while true do
    local info = debug.getinfo(thread, level, "S")
    if not info or (info.what ~= "C" and info.source ~= "=[ltask service]") then break end
    level = level + 1
  end
  local v = { [".name"] = debug.getinfo(thread, level, "n") }
  for i = 1, math.huge do
    local name, value = debug.getlocal(thread, level, i)
    if not name then break end
    v[name] = value
  end
  return v
end

---------------------------------------------------------------- memory

-- fengari has no allocator of its own (the JS heap holds everything), so the
-- runtime estimates a service's memory (limits.ts): a walk of what the service
-- reaches, each table, entry, string and function at a fixed size, plus what
-- fengari counted it allocating since; docs/lua-api.md states how close it
-- comes to the JS heap. Answered in constant time.
function ltask.mem_count() return core.mem_count() end

--- ltask.mem_limit(bytes) -> the previous limit. 0: none. The limit is on
-- the estimate of mem_count: checked every 20,000 instructions and after each
-- message; an estimate over it is confirmed by a walk (at most 1/20 of the
-- service's time), and the walk's figure decides.
function ltask.mem_limit(bytes)
  return core.mem_limit(bytes)
end

do
  local gc_noop = { collect = 0, step = true, stop = 0, restart = 0, incremental = "incremental", generational = "incremental", setpause = 200, setstepmul = 200 }
  function collectgarbage(opt, ...)
    opt = opt or "collect"
    if opt == "count" then
      local b = core.mem_count()
      return b / 1024, b % 1024
    elseif opt == "collect" then
      core.mem_count(true) -- walks again: "count" is exact right after
      return 0
    elseif opt == "isrunning" then
      return true
    end
    local r = gc_noop[opt]
    if r == nil then error(("bad argument #1 to 'collectgarbage' (invalid option '%s')"):format(tostring(opt)), 2) end
    return r -- the JS garbage collector runs by itself: nothing to do
  end
end

-- ltask functions with no meaning here: a clear error names each and says why.
do
  local raw = "messages are sent by ltask.call/send/syscall (the scheduler's raw post is internal)"
  local decoded = "messages arrive decoded; use ltask.unpack for ltask.pack's strings"
  local why = {
    mainthread_run = "there is no main-thread affinity: a page's main thread never runs services (it draws frames), and Node's runs none either",
    signal_handler = "only ltask's root takes signals; root here is a built-in TypeScript service",
    idle_handler = "workers do not tell services they are idle",
    eventinit = "there are no OS event fds on the web (sockevent)",
    suspend = "sessions are driven by the runtime; use ltask.wait/ltask.wakeup",
    post_message = raw,
    send_message = raw,
    recv_message = "the runtime delivers messages to handlers; there is no receive loop to write",
    message_receipt = "ltask.send returns the receipt (true, or false for a dead address)",
    timer_add = "use ltask.sleep or ltask.timeout",
    pushlog = "use ltask.log.info/error",
    unpack_remove = decoded,
    remove = decoded,
  }
  for name, reason in pairs(why) do
    ltask[name] = function()
      error(("ltask.%s does not exist here: %s"):format(name, reason), 2)
    end
  end
end

function ltask.worker_bind(id)
  if id == nil or id == core.worker_id() then return end
  error(("ltask.worker_bind(%s): a running service cannot move to another worker; spawn it there with spawn_service{ worker_id = %s }"):format(tostring(id), tostring(id)), 2)
end

---------------------------------------------------------------- require

do
  local loaded = package.loaded
  local preload = package.preload
  local loading = {}

  local function load_source(kind, name)
    return answer(nil, core.load(kind, name))
  end
  ltask.load_source = load_source

  function require(name)
    local m = loaded[name]
    if m ~= nil then return m end
    if preload[name] then
      m = preload[name](name, ":preload:")
      if m == nil then m = true end
      loaded[name] = m
      return m
    end
    if not coroutine.isyieldable() then
      error(("ltask.require must run in a service coroutine (a request, fork or init)"), 2)
    end
    local token = loading[name]
    if token then
      if token.co == co_running() then error(("circular require of module '%s'"):format(name), 2) end
      ltask.multi_wait(token)
      m = loaded[name]
      if m == nil then error(("module '%s' failed to load in another coroutine"):format(name), 2) end
      return m
    end
    token = { co = co_running() }
    loading[name] = token
    local ok, err = pcall(function()
      local source, path = load_source("lua", name)
      local f, e = load(source, "@" .. path, "t")
      if not f then error(e, 0) end
      local r = f(name, path)
      if loaded[name] == nil then loaded[name] = (r == nil) and true or r end
    end)
    loading[name] = nil
    ltask.multi_wakeup(token)
    if ok then return loaded[name] end
    error(err, 2)
  end
end

---------------------------------------------------------------- handlers

local S -- the handler table

function ltask.dispatch(handlers)
  if handlers then
    if S == nil then
      S = {}
      core.serving()
    end
    for k, v in pairs(handlers) do
      if type(v) == "function" then
        -- as ltask: a second, different handler for a name is a mistake, not an update
        if S[k] ~= nil and S[k] ~= v then error(("ltask.dispatch: duplicate handler %q"):format(tostring(k)), 2) end
        S[k] = v
      end
    end
  end
  return S
end

local quitting = false

-- Ends this service after the current message (as ltask: S.quit is not
-- called here; it answers the system's quit request, see entry.system).
function ltask.quit()
  if quitting then return end
  quitting = true
  ltask.fork(core.quit)
end


---------------------------------------------------------------- world

-- The App's world (LtaskPlugin's `world` option): `local world = require "world"`.
-- Reads show the last completed frame (one frame for a whole step); writes are
-- applied together at the App's PreUpdate; names resolve here, once, so a call
-- is one table lookup and one core primitive. See docs/world.md.
local world = {}
local W = core.world_schema()
local world_ticks, world_listeners = {}, {}

local function no_world() error("[world] this runtime shares no world: give LtaskPlugin a `world` option (the components services may see)", 3) end

local function names(t)
  local known = {}
  for k in pairs(t) do known[#known + 1] = k end
  table.sort(known)
  return #known > 0 and table.concat(known, ", ") or "none"
end

local function comp_of(name)
  local c = W and W.components[name]
  if c then return c end
  if not W then no_world() end
  error(("[world] unknown component %q; the App shares %s (LtaskPlugin's world option)"):format(tostring(name), names(W.components)), 3)
end

local function field_of(c, cname, f)
  local i = c.fields[f]
  if i then return i end
  error(("[world] unknown field %q of %s; it has %s"):format(tostring(f), cname, table.concat(c.list, ", ")), 3)
end

local function index_of(list, what, name)
  if not W then no_world() end
  local i = W[list][name]
  if i then return i end
  error(("[world] unknown %s %q; the App shares %s (LtaskPlugin's world option)"):format(what, tostring(name), names(W[list])), 3)
end

local function need_function(fn, what)
  if type(fn) ~= "function" then error(("[world] %s: expected a function, got %s"):format(what, type(fn)), 3) end
end

local world_get, world_getc, world_set, world_setc = core.world_get, core.world_getc, core.world_set, core.world_setc

--- world.get(id, component [, field]) -> the component as a table (a copy), or one field; nil when it has none.
function world.get(id, cname, f)
  local c = W and W.components[cname]
  if c then -- the common case first: two table lookups and the primitive
    local fi = c.fields[f]
    if fi then return world_get(id, c.index, fi) end
    if f == nil then return world_getc(id, c.index) end
  end
  c = comp_of(cname)
  if f == nil then return world_getc(id, c.index) end
  return world_get(id, c.index, field_of(c, cname, f))
end

--- world.set(id, component, field, value) or world.set(id, component, { field = value, ... })
function world.set(id, cname, f, v)
  local c = W and W.components[cname]
  if c then -- the common case first: two table lookups and the primitive
    local fi = c.fields[f]
    if fi then return world_set(id, c.index, fi, v) end
    if type(f) == "table" then return world_setc(id, c.index, f) end
  end
  c = comp_of(cname)
  if type(f) == "table" then return world_setc(id, c.index, f) end
  return world_set(id, c.index, field_of(c, cname, f), v)
end

--- world.spawn([prefab] [, { Component = { field = value } }]) -> id, usable at once.
function world.spawn(prefab, comps)
  if type(prefab) == "table" then prefab, comps = nil, prefab end
  local id = core.world_spawn(prefab == nil and -1 or index_of("prefabs", "prefab", prefab))
  for cname, values in pairs(comps or {}) do world_setc(id, comp_of(cname).index, values) end
  return id
end

function world.despawn(id) return core.world_despawn(id) end
function world.remove(id, cname) return core.world_remove(id, comp_of(cname).index) end
function world.has(id, cname) return core.world_has(id, comp_of(cname).index) end
function world.alive(id) return core.world_has(id, -1) end

--- world.query(component, ...) -> { id, ... } of the entities with every component named.
function world.query(...)
  local mask = 0
  for i = 1, select("#", ...) do mask = mask | (1 << comp_of((select(i, ...))).index) end
  return core.world_query(mask)
end

--- world.emit(kind, value): an event to the App (one of LtaskPlugin's world.eventsOut).
function world.emit(kind, value) return core.world_emit(index_of("events_out", "event kind (services to App)", kind), value) end

--- world.on(kind, fn): fn(value) for each event of `kind` the App forwards (world.eventsIn).
function world.on(kind, fn)
  local k = index_of("events_in", "event kind (App to services)", kind)
  need_function(fn, "world.on")
  local list = world_listeners[kind]
  if not list then
    list = {}
    world_listeners[kind] = list
    core.world_listen(k)
  end
  list[#list + 1] = fn
end

--- world.on_tick(fn): fn(dt, elapsed, frame) once per App frame in which game time moved.
function world.on_tick(fn)
  if not W then no_world() end
  need_function(fn, "world.on_tick")
  world_ticks[#world_ticks + 1] = fn
  core.world_ticks()
end

--- world.every(seconds, fn): fn(dt, elapsed, frame) at most once every `seconds` of game time.
function world.every(seconds, fn)
  if not (type(seconds) == "number" and seconds > 0) then error(("[world] world.every: seconds must be a number > 0, got %s"):format(tostring(seconds)), 2) end
  need_function(fn, "world.every")
  local acc = 0
  world.on_tick(function(dt, elapsed, frame)
    acc = acc + dt
    if acc + 1e-9 < seconds then return end
    local d = acc
    acc = 0
    fn(d, elapsed, frame)
  end)
end

--- world.time() -> { frame, elapsed, delta, paused, scale, fixed_step } of the frame this step reads, or nil.
function world.time()
  if not W then no_world() end
  local frame, elapsed, delta, paused, scale, fixed = core.world_time()
  if frame == nil then return nil end
  return { frame = frame, elapsed = elapsed, delta = delta, paused = paused, scale = scale, fixed_step = fixed }
end

package.loaded.world = world

-- A tick that fails drops what it wrote (the runtime drops a failed run's writes).
local function world_tick(dt, elapsed, frame)
  for i = 1, #world_ticks do world_ticks[i](dt, elapsed, frame) end
end

local function world_event(kind, value)
  for _, fn in ipairs(world_listeners[kind] or {}) do fn(value) end
end

---------------------------------------------------------------- entries

-- The functions the runtime starts coroutines with. Each returns what goes
-- back to the sender; an error ends the coroutine and the runtime reports it
-- with the coroutine's traceback.
local entry = {}

function entry.request(name, ...)
  if name == "world.event" then return world_event(...) end
  local f = S and S[name]
  if f == nil then
    error(("unknown request %q to service %d (%s)"):format(tostring(name), SELF, LABEL), 0)
  end
  return f(...)
end

-- The system's quit request (root's kill, the runtime's shutdown): S.quit
-- decides, and ends the service with ltask.quit() when it wants to; a
-- service without S.quit ends at once. As in ltask.
function entry.system(cmd, ...)
  if cmd == "memory" then return collectgarbage("count") * 1024 end
  if cmd == "quit" then
    local q = S and S.quit
    if q then return q() end
    return ltask.quit()
  end
  error(("unknown system message %q"):format(tostring(cmd)), 0)
end

function entry.async(session, ok, ...)
  local cb = session_cb[session]
  if cb then
    session_cb[session] = nil
    cb(ok, ...)
  end
end

-- A world tick (the App published a frame and game time moved).
entry.tick = world_tick

-- Runs the service's main chunk; answers root's spawn with true.
function entry.init(main, ...)
  local handlers = main(...)
  if handlers ~= nil then
    if type(handlers) ~= "table" then
      error(("service script returned a %s, expected the handler table or nil"):format(type(handlers)), 0)
    end
    ltask.dispatch(handlers)
  end
  if S == nil then ltask.quit() end
  return true
end

return entry
