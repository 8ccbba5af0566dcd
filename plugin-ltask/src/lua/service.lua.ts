/**
 * The service library that runs inside every Lua service (Lua 5.3, fengari).
 * Kept as a string so it loads the same way in browser workers and under Node.
 * It must contain no backquote.
 */
export const SERVICE_LUA = String.raw`
-- The service library: runs inside every Lua service's VM.
-- It maps sessions to coroutines and gives a service ltask's API.
-- The host passes core: the primitives written in TypeScript (send, timer,
-- source loading, logging, pack/unpack) and the wire codes from protocol.ts.
local core = ...

local REQUEST = core.REQUEST
local RESPONSE = core.RESPONSE
local ERROR = core.ERROR
local SYSTEM = core.SYSTEM
local DONE = core.DONE
local DEAD = core.DEAD
local ROOT = 1

local SELF = core.self
local LABEL = core.label

local CALLBACK = core.CALLBACK
local send_message = core.send
local co_create = coroutine.create
local co_resume = coroutine.resume
local co_yield = coroutine.yield
local co_running = coroutine.running
local co_isyieldable = coroutine.isyieldable
local traceback = debug.traceback
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
ltask.MESSAGE = { SYSTEM = SYSTEM, REQUEST = REQUEST, RESPONSE = RESPONSE, ERROR = ERROR, SIGNAL = core.SIGNAL }
ltask.RECEIPT = { DONE = DONE, DEAD = DEAD, BUSY = core.BUSY }

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

local session_co = {}   -- session -> coroutine waiting for its response
local session_cb = {}   -- session -> plain function taking (type, ...) (async objects)
-- coroutine -> its record { start = fn | false, from = addr | false, session = n | false }.
-- A pooled coroutine keeps its record for life: per message only fields change,
-- no table keys are added or removed (that churn was a visible cost in fengari).
local co_rec = {}
local waiting = {}      -- token -> coroutine, or list of coroutines (multi_wait)
local wakeq, wakeq_head, wakeq_tail = {}, 1, 0
local session_id = 1
local quit_state        -- nil, "quitting", "done"
local S                 -- the handler table

local pool = {}

-- Pooled coroutines: when its function returns, a coroutine parks in the pool
-- and its next resume delivers the next function and its arguments at once
-- (one resume per message: in fengari a yield costs a JS throw).
local function thread_body(f, ...)
  f(...)
  pool[#pool + 1] = co_running()
  return thread_body(co_yield())
end

local function new_thread(f)
  local co = pool[#pool]
  if co then
    pool[#pool] = nil
  else
    co = co_create(thread_body)
  end
  local rec = co_rec[co]
  if rec then
    rec.start = f
  else
    co_rec[co] = { start = f, from = false, session = false }
  end
  return co
end

local function report(co, err)
  local rec = co_rec[co]
  co_rec[co] = nil -- the coroutine is dead: it never returns to the pool
  local from, session = rec and rec.from, rec and rec.session
  local msg = traceback(co, tostring(err)) .. ("\n\t(service %d %s)"):format(SELF, LABEL)
  if from and session and session ~= 0 then
    send_message(from, ERROR, session, msg)
  else
    ltask.log.error(msg)
  end
end

-- Serial check: the scheduler never resumes a coroutine while another one runs.
local resuming = false
local function resume(co, ...)
  if resuming then core.violation() end
  resuming = true
  local ok, err
  local rec = co_rec[co]
  local f = rec and rec.start
  if f then
    rec.start = false
    ok, err = co_resume(co, f, ...)
  else
    ok, err = co_resume(co, ...)
  end
  resuming = false
  if not ok then report(co, err) end
end

local function next_session()
  local s = session_id
  session_id = s + 1
  if session_id >= 0x7fffffff then session_id = 1 end
  return s
end

local function need_coroutine(what)
  if not co_isyieldable() then
    error(("ltask.%s must run in a service coroutine (a request, fork or init)"):format(what), 3)
  end
end

local function wait_response(type, ...)
  if type == RESPONSE then return ... end
  error((...), 0)
end

local function post(addr, session, ...)
  local r = send_message(addr, REQUEST, session, ...)
  if r == DONE then return true end
  if r == DEAD then
    if session == 0 then return false end
    error(("{service:%s} is dead"):format(tostring(addr)), 3)
  end
  error(("{service:%s} is busy"):format(tostring(addr)), 3)
end

local function push_wakeup(co, ...)
  wakeq_tail = wakeq_tail + 1
  wakeq[wakeq_tail] = tpack(co, ...)
end

local function run_wakeups()
  while wakeq_head <= wakeq_tail do
    local t = wakeq[wakeq_head]
    wakeq[wakeq_head] = nil
    wakeq_head = wakeq_head + 1
    resume(tunpack(t, 1, t.n))
  end
  wakeq_head, wakeq_tail = 1, 0
end

---------------------------------------------------------------- messages

local cb_of = {} -- callback coroutine -> the native call it serves

-- Introspection: what a native call's callback is waiting on.
local function note(what, ...)
  local cid = cb_of[co_running()]
  if cid then core.note(cid, what:format(...)) end
end

function ltask.call(addr, ...)
  need_coroutine "call"
  local session = next_session()
  post(addr, session, ...)
  session_co[session] = co_running()
  note("callback waits for a call to service %s %q", tostring(addr), tostring((...)))
  return wait_response(co_yield())
end

function ltask.send(addr, ...)
  return post(addr, 0, ...)
end

local async = {}
async.__index = async

--- ltask.async(): several requests in flight, one wait for all of them.
function ltask.async()
  local obj = setmetatable({ _n = 0 }, async)
  obj._cb = function(type, ...)
    obj._n = obj._n - 1
    if type == ERROR and obj._err == nil then obj._err = (...) end
    if obj._n == 0 and obj._waiting then
      obj._waiting = nil
      ltask.wakeup(obj)
    end
  end
  return obj
end

function async:request(addr, ...)
  local session = next_session()
  post(addr, session, ...)
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
    error(err, 0)
  end
end

function ltask.sleep(cs)
  need_coroutine "sleep"
  local session = next_session()
  session_co[session] = co_running()
  note("callback sleeps %s cs", tostring(cs))
  core.timer(session, cs or 0)
  co_yield()
end

function ltask.timeout(cs, f)
  local co = new_thread(function() f() end)
  local session = next_session()
  session_co[session] = co
  core.timer(session, cs or 0)
end

function ltask.fork(f, ...)
  local co = new_thread(f)
  push_wakeup(co, ...)
  return co
end

function ltask.current_token()
  return co_running()
end

function ltask.wait(token)
  need_coroutine "wait"
  local co = co_running()
  token = token == nil and co or token
  if waiting[token] ~= nil then error("ltask.wait: this token already has a waiter (use multi_wait)", 2) end
  waiting[token] = co
  note("callback waits for a wakeup")
  return wait_response(co_yield())
end

function ltask.multi_wait(token)
  need_coroutine "multi_wait"
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
  return wait_response(co_yield())
end

local function wake(token, multi, mtype, ...)
  local w = waiting[token]
  if w == nil then return false end
  if (type(w) == "table") ~= multi then
    error(multi and "token has a single waiter: use wakeup/interrupt" or "token has many waiters: use multi_wakeup/multi_interrupt", 3)
  end
  waiting[token] = nil
  if multi then
    for i = 1, #w do push_wakeup(w[i], mtype, ...) end
  else
    push_wakeup(w, mtype, ...)
  end
  return true
end

function ltask.wakeup(token, ...) return wake(token, false, RESPONSE, ...) end
function ltask.multi_wakeup(token, ...) return wake(token, true, RESPONSE, ...) end
function ltask.interrupt(token, err) return wake(token, false, ERROR, err) end
function ltask.multi_interrupt(token, err) return wake(token, true, ERROR, err) end

function ltask.current_session()
  local co = co_running()
  local rec = co_rec[co]
  return { from = rec and rec.from or nil, session = rec and rec.session or nil }
end

function ltask.no_response()
  local rec = co_rec[co_running()]
  if rec then rec.session = 0 end
end

--- Answers a request later; s is what current_session() returned.
function ltask.response(s, ...)
  if s.session and s.session ~= 0 then
    send_message(s.from, RESPONSE, s.session, ...)
  end
end

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
  for i = 1, n do
    local t = tasks[i]
    ltask.fork(function() finish(t, xpcall(t[1], handler, tunpack(t, 2))) end)
  end
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

local callbacks = core.callbacks -- id -> Lua function, filled while a native call runs

--- ltask.native "name": a proxy whose functions run on the module's carriers.
--- A call parks the calling coroutine; the service keeps serving meanwhile.
function ltask.native(name)
  return setmetatable({}, {
    __index = function(proxy, fn)
      local f = function(...)
        need_coroutine "native"
        local session = next_session()
        core.native(session, name, fn, cb_of[co_running()] or 0, ...)
        session_co[session] = co_running()
        return wait_response(co_yield())
      end
      rawset(proxy, fn, f)
      return f
    end,
  })
end

local function run_callback(call_id, seq, cb_id, ...)
  local f = callbacks[cb_id]
  local me = co_running()
  cb_of[me] = call_id
  local r
  if f == nil then
    r = tpack(false, "[ltask] the callback of this native call is gone")
  else
    r = tpack(pcall(f, ...))
  end
  cb_of[me] = nil
  if not r[1] then r[2] = tostring(r[2]) end
  core.callback_return(call_id, seq, tunpack(r, 1, r.n))
end

---------------------------------------------------------------- root calls

function ltask.spawn(name, ...) return ltask.call(ROOT, "spawn", name, ...) end
function ltask.uniqueservice(name, ...) return ltask.call(ROOT, "uniqueservice", name, ...) end
function ltask.queryservice(name) return ltask.call(ROOT, "queryservice", name) end
function ltask.spawn_service(t) return ltask.call(ROOT, "spawn_service", t) end

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
    local session = next_session()
    session_co[session] = co_running()
    core.load(kind, name, session)
    return wait_response(co_yield())
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
    need_coroutine "require"
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
    if ok then
      ltask.multi_wakeup(token)
      return loaded[name]
    end
    ltask.multi_wakeup(token)
    error(err, 2)
  end
end

---------------------------------------------------------------- dispatch

function ltask.dispatch(handlers)
  if handlers then
    S = S or {}
    for k, v in pairs(handlers) do
      if type(v) == "function" then S[k] = v end
    end
  end
  return S
end

local function respond(co, ...)
  local rec = co_rec[co]
  local from, session = rec.from, rec.session
  -- Send before forgetting the session: if the results cannot be sent, the
  -- error report still knows whom to tell.
  if session and session ~= 0 then send_message(from, RESPONSE, session, ...) end
  rec.from, rec.session = false, false
end

local function handle_request(name, ...)
  local f = S and S[name]
  if type(f) ~= "function" then
    error(("unknown request %q to service %d (%s)"):format(tostring(name), SELF, LABEL), 0)
  end
  respond(co_running(), f(...))
end

local function finish_quit()
  -- Requests this service was still working on get an error, not silence.
  for co, rec in pairs(co_rec) do
    local from, session = rec.from, rec.session
    if session and session ~= 0 then
      send_message(from, ERROR, session, ("{service:%d} has quit"):format(SELF))
    end
  end
  for _, rec in pairs(co_rec) do rec.from, rec.session = false, false end
  quit_state = "done"
end

function ltask.quit()
  if quit_state then return end
  quit_state = "quitting"
  ltask.fork(function()
    local q = S and S.quit
    if q then
      local ok, err = xpcall(q, traceback)
      if not ok then ltask.log.error("S.quit failed: " .. tostring(err)) end
    end
    finish_quit()
  end)
end

local system = {}
function system.quit() ltask.quit() end
function system.traceback()
  local out = {}
  for session, co in pairs(session_co) do
    out[#out + 1] = ("session %d\n%s"):format(session, traceback(co))
  end
  return table.concat(out, "\n")
end

local function handle_system(cmd, ...)
  local f = system[cmd]
  if not f then error(("unknown system message %q"):format(tostring(cmd)), 0) end
  respond(co_running(), f(...))
end

local pending_init -- requests that arrived while the service was starting
local replay       -- those requests, once the service has started

local function dispatch_one(mtype, from, session, ...)
  if mtype == REQUEST or mtype == SYSTEM then
    -- While the main chunk runs, requests wait, unless it already registered
    -- handlers with ltask.dispatch (as in ltask).
    if pending_init and (S == nil or mtype == SYSTEM) then
      pending_init[#pending_init + 1] = tpack(mtype, from, session, ...)
      return
    end
    if quit_state == "done" then
      if session ~= 0 then send_message(from, ERROR, session, ("{service:%d} has quit"):format(SELF)) end
      return
    end
    local co = new_thread(mtype == REQUEST and handle_request or handle_system)
    local rec = co_rec[co]
    rec.from, rec.session = from, session
    resume(co, ...)
  elseif mtype == CALLBACK then
    resume(new_thread(run_callback), from, session, ...)
  else -- RESPONSE / ERROR
    local co = session_co[session]
    if co then
      session_co[session] = nil
      resume(co, mtype, ...)
    else
      local cb = session_cb[session]
      if cb then
        session_cb[session] = nil
        cb(mtype, ...)
      end
    end
  end
end

local function drain()
  run_wakeups()
  while replay do
    local q = replay
    replay = nil
    for i = 1, #q do
      local m = q[i]
      dispatch_one(tunpack(m, 1, m.n))
      run_wakeups()
    end
  end
  return quit_state == "done"
end

local function dispatch(...)
  dispatch_one(...)
  return drain()
end

-- Runs the service's main chunk in a coroutine; answers root's spawn with
-- true, or with the error and traceback (and the service ends).
local function init(main, from, session, ...)
  pending_init = {}
  local co = new_thread(function(...)
    local ok, handlers = xpcall(main, function(e) return traceback(tostring(e), 2) end, ...)
    if ok and handlers ~= nil and type(handlers) ~= "table" then
      ok, handlers = false, ("service script returned a %s, expected the handler table or nil"):format(type(handlers))
    end
    replay = pending_init
    pending_init = nil
    local me = co_running()
    if not ok then
      local rec = co_rec[me]
      rec.from, rec.session = false, false
      quit_state = "done"
      send_message(from, ERROR, session, tostring(handlers) .. ("\n\t(service %d %s)"):format(SELF, LABEL))
      return
    end
    if handlers then ltask.dispatch(handlers) end
    if S == nil then ltask.quit() end
    respond(me, true)
  end)
  local rec = co_rec[co]
  rec.from, rec.session = from, session
  resume(co, ...)
  return drain()
end

return { dispatch = dispatch, init = init }
`;
