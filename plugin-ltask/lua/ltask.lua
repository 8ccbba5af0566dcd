---@meta ltask

-- The `ltask` module as `require "ltask"` gives it to a Lua service, for
-- lua-language-server (LuaLS). Definitions only: the runtime never loads this
-- file. Point LuaLS at this folder (docs/lua-api.md, "Editor support").
-- The VM is fengari, Lua 5.3: integers are 32-bit.

---A service's address: root is 1, the logger 2, the timer 3.
---@alias ltask.address integer

---What `ltask.wait` and `ltask.wakeup` meet on: any value (default: the running coroutine).
---@alias ltask.token any

---The ltask service API: messages, coroutines, services, native modules.
---@class ltasklib
local ltask = {}

---------------------------------------------------------------- messages

---Sends a request and waits for the answer: `S[name](...)` of the service at `addr`.
---
---A handler's error is raised here with the remote traceback; a dead address
---raises `{service:N} is dead` at once, a full queue `{service:N} is busy`.
---@async
---@param addr ltask.address The service to ask.
---@param name ltask.SystemRequest|string The request (the handler's name).
---@param ... any Its arguments (they cross as values: no functions, no cycles).
---@return any ... What the handler returned.
function ltask.call(addr, name, ...) end

---Sends a request without waiting for an answer.
---
---Returns `true`, or `false` when the address is dead (ltask returns nothing);
---raises `{service:N} is busy` when its queue is full (never a silent drop).
---@param addr ltask.address The service to tell.
---@param name ltask.SystemRequest|string The request (the handler's name).
---@param ... any Its arguments.
---@return boolean sent `false`: the service is dead.
function ltask.send(addr, name, ...) end

---Sends a system message (ltask's `syscall`) and waits for the answer.
---@async
---@param addr ltask.address The service.
---@param cmd ltask.SystemMessage The system message.
---@param ... any Its arguments.
---@return any ... The answer.
---@overload fun(addr: ltask.address, cmd: "memory"): number
---@overload fun(addr: ltask.address, cmd: "traceback"): string
function ltask.syscall(addr, cmd, ...) end

---Several requests in flight, one wait for all: `a:request(...)`, then `a:wait()`.
---@return ltask.Async
---@nodiscard
function ltask.async() end

---Runs tasks `{ f, args... }` and iterates `(task, result)` in the order they finish.
---
---A task starts when the one before it blocks (or ends), as in ltask. `result`
---is `table.pack` of what the task returned, or a `ltask.ParallelError`.
---@async
---@param tasks table[] Each `{ f, arg1, arg2, ... }`.
---@return ltask.ParallelIterator
---@nodiscard
function ltask.parallel(tasks) end

---The sender and session of the request being handled, for `ltask.response`.
---@return ltask.Session
---@nodiscard
function ltask.current_session() end

---The current request is answered later (with `ltask.response`) or never.
function ltask.no_response() end

---Answers a request saved with `ltask.current_session()` (new here: ltask posts a RESPONSE itself).
---@param s ltask.Session What `current_session()` returned.
---@param ... any The answer.
function ltask.response(s, ...) end

---Merges the functions of `handlers` into the service's handler table and returns it.
---
---A second, different function for a name is an error (as in ltask). Handlers
---registered during the main chunk serve requests before it ends.
---@param handlers table<string, function> The handlers to add.
---@return ltask.Handlers S The handler table.
---@overload fun(): ltask.Handlers?
function ltask.dispatch(handlers) end

---The values as one byte string in the message codec.
---@param ... any The values.
---@return string bytes
---@nodiscard
function ltask.pack(...) end

---The values of a string made by `ltask.pack`.
---@param s string The packed bytes.
---@return any ...
---@nodiscard
function ltask.unpack(s) end

---------------------------------------------------------------- coroutines and time

---Runs `f(...)` in a new coroutine of this service after the current message.
---@param f async fun(...: any) # The function.
---@param ... any Its arguments.
---@return thread co The new coroutine.
function ltask.fork(f, ...) end

---Waits `cs` centiseconds (fractions are honoured); `sleep(0)` yields once.
---@async
---@param cs? number Centiseconds (default 0).
function ltask.sleep(cs) end

---Runs `f()` in a new coroutine after `cs` centiseconds.
---@param cs number Centiseconds.
---@param f async fun() # The function.
function ltask.timeout(cs, f) end

---Waits until `ltask.wakeup(token, ...)` (returns its values) or `ltask.interrupt(token, err)` (raises `err`).
---
---One waiter per token; use `multi_wait` for more.
---@async
---@param token? ltask.token Default: the running coroutine.
---@return any ... What `wakeup` passed.
function ltask.wait(token) end

---Waits on a token that any number of coroutines wait on (woken by `multi_wakeup`/`multi_interrupt`).
---@async
---@param token? ltask.token Default: the running coroutine.
---@return any ... What `multi_wakeup` passed.
function ltask.multi_wait(token) end

---Wakes the coroutine waiting on `token` with the values; `false` when nobody waits.
---@param token ltask.token The token it waits on.
---@param ... any What its `wait` returns.
---@return boolean woken
function ltask.wakeup(token, ...) end

---Wakes every coroutine in `multi_wait` on `token` with the values; `false` when nobody waits.
---@param token ltask.token The token they wait on.
---@param ... any What their `multi_wait` returns.
---@return boolean woken
function ltask.multi_wakeup(token, ...) end

---Makes the `wait` on `token` raise `err`; `false` when nobody waits.
---@param token ltask.token The token it waits on.
---@param err? any The error its `wait` raises.
---@return boolean woken
function ltask.interrupt(token, err) end

---Makes every `multi_wait` on `token` raise `err`; `false` when nobody waits.
---@param token ltask.token The token they wait on.
---@param err? any The error their `multi_wait` raises.
---@return boolean woken
function ltask.multi_interrupt(token, err) end

---The running coroutine (the default token of `wait`).
---@return thread
---@nodiscard
function ltask.current_token() end

---The coroutine the runtime runs for the current message (a request, fork or callback).
---@return thread
---@nodiscard
function ltask.running() end

---Where each coroutine of this service that waits on a session stands (a traceback).
---@return string
---@nodiscard
function ltask.backtrace() end

---The local variables of a suspended coroutine's innermost function; `[".name"]` holds its name info.
---@param thread thread The coroutine.
---@return table<string, any> locals
---@nodiscard
function ltask.thread_info(thread) end

---Seconds and centiseconds since the epoch (the second value is a float: fengari integers are 32-bit).
---@return integer seconds
---@return number centiseconds
---@nodiscard
function ltask.now() end

---A monotonic clock in seconds (float).
---@return number seconds
---@nodiscard
function ltask.counter() end

---The CPU seconds this service has used.
---@return number seconds
---@nodiscard
function ltask.cpucost() end

---------------------------------------------------------------- services

---Starts a service (a Lua script on the service path, or a registered TypeScript service) and returns its address.
---
---Returns once its main chunk has run; a script error at start is raised here.
---@async
---@param name string The service's name.
---@param ... any Its arguments (the script's `...`).
---@return ltask.address
function ltask.spawn(name, ...) end

---Starts a service from options: pin it to a worker, name it, label it, restart it when it fails.
---@async
---@param t ltask.SpawnOptions The options (`name` at least).
---@return ltask.address
function ltask.spawn_service(t) end

---Starts the service once and registers its name; concurrent callers get the same address.
---@async
---@param name string The service's name.
---@param ... any Its arguments (first spawn only).
---@return ltask.address
function ltask.uniqueservice(name, ...) end

---The address of a named service; waits until one is registered. `"io"`: the instance on the caller's worker.
---@async
---@param name string The service's name.
---@return ltask.address
function ltask.queryservice(name) end

---Where a service script is found on the service path.
---@async
---@param name string The service's name.
---@return string path
function ltask.servicepath(name) end

---Ends this service after the current message; requests it was answering get `Service has been quit.`.
---
---`S.quit` is not called: it answers the system's quit request (root's `kill`,
---the runtime's shutdown).
function ltask.quit() end

---This service's address.
---@return ltask.address
---@nodiscard
function ltask.self() end

---This service's label (its name unless `spawn_service{ label = ... }` gave one).
---@return string
---@nodiscard
function ltask.label() end

---The worker this service runs on.
---@return integer
---@nodiscard
function ltask.worker_id() end

---Accepts the current worker only: a running service cannot move (pin it at spawn with `spawn_service{ worker_id = n }`).
---@param id? integer A worker; any other than the current one raises.
function ltask.worker_bind(id) end

---Writes a debug line (`[debug] ...`) to the log.
---@param ... any Values, written with `tostring` and tabs between.
function ltask.debuglog(...) end

---The source and path of a Lua module (`"lua"`, through `luaPath`) or a service script (`"service"`).
---@async
---@param kind "lua"|"service" What to find.
---@param name string The module or service name.
---@return string source
---@return string path
function ltask.load_source(kind, name) end

---The service's memory estimate in bytes (fengari cannot count its allocations; see docs/lua-api.md).
---@return integer bytes
---@nodiscard
function ltask.mem_count() end

---Sets the service's memory limit on the `mem_count` estimate and returns the previous one (0: none).
---@param bytes integer The limit; 0: none.
---@return integer previous
function ltask.mem_limit(bytes) end

---------------------------------------------------------------- native modules

---A proxy for the native module registered under `name`: `m.fn(...)` runs on a carrier worker and parks the coroutine.
---@param name string The module's name (the `natives` option, or `npx ltask --native`).
---@return ltask.NativeModule
---@nodiscard
function ltask.native(name) end

---------------------------------------------------------------- logs

---Log lines with the service's address and label.
ltask.log = {}

---Writes an info line: the values with `tostring`, tabs between. `print` is this function.
---@param ... any The values.
function ltask.log.info(...) end

---Writes an error line: the values with `tostring`, tabs between.
---@param ... any The values.
function ltask.log.error(...) end

---------------------------------------------------------------- wire codes

---Message types, as the wire numbers them.
---@enum ltask.MessageType
ltask.MESSAGE = {
  SYSTEM = 0,
  REQUEST = 1,
  RESPONSE = 2,
  ERROR = 3,
  SIGNAL = 4,
}

---What a send reports: delivered, the destination is dead, or its queue is full.
---@enum ltask.Receipt
ltask.RECEIPT = {
  DONE = 0,
  DEAD = 1,
  BUSY = 2,
}

---------------------------------------------------------------- refused

---Refused here: there is no main-thread affinity: a page's main thread never runs services (it draws frames), and Node's runs none either.
---@deprecated
---@param ... any
function ltask.mainthread_run(...) end

---Refused here: only ltask's root takes signals; root here is a built-in TypeScript service.
---@deprecated
---@param ... any
function ltask.signal_handler(...) end

---Refused here: workers do not tell services they are idle.
---@deprecated
---@param ... any
function ltask.idle_handler(...) end

---Refused here: there are no OS event fds on the web (sockevent).
---@deprecated
---@param ... any
function ltask.eventinit(...) end

---Refused here: sessions are driven by the runtime; use ltask.wait/ltask.wakeup.
---@deprecated
---@param ... any
function ltask.suspend(...) end

---Refused here: messages are sent by ltask.call/send/syscall (the scheduler's raw post is internal).
---@deprecated
---@param ... any
function ltask.post_message(...) end

---Refused here: messages are sent by ltask.call/send/syscall (the scheduler's raw post is internal).
---@deprecated
---@param ... any
function ltask.send_message(...) end

---Refused here: the runtime delivers messages to handlers; there is no receive loop to write.
---@deprecated
---@param ... any
function ltask.recv_message(...) end

---Refused here: ltask.send returns the receipt (true, or false for a dead address).
---@deprecated
---@param ... any
function ltask.message_receipt(...) end

---Refused here: use ltask.sleep or ltask.timeout.
---@deprecated
---@param ... any
function ltask.timer_add(...) end

---Refused here: use ltask.log.info/error.
---@deprecated
---@param ... any
function ltask.pushlog(...) end

---Refused here: messages arrive decoded; use ltask.unpack for ltask.pack's strings.
---@deprecated
---@param ... any
function ltask.unpack_remove(...) end

---Refused here: messages arrive decoded; use ltask.unpack for ltask.pack's strings.
---@deprecated
---@param ... any
function ltask.remove(...) end

return ltask
