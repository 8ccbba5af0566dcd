---@meta _

-- What a Lua service script sees besides the `ltask` module's functions: the
-- handler table it returns, the objects ltask's functions return, and the
-- spawn options. Definitions only, for lua-language-server.

---The handler table `S` a service script returns (or passes to `ltask.dispatch`).
---
---`ltask.call(addr, "name", ...)` runs `S.name(...)` in a fresh coroutine and
---answers with what it returns; its error is raised at the caller with the
---traceback. The script gets its spawn arguments as `...`; returning `nil`
---with no handlers registered ends the service. Annotate the table to check it:
---
---```lua
---local ltask = require "ltask"
---local S = {} --[[@as ltask.Handlers]]
---function S.greet(who) return "hello " .. who end
---return S
---```
---@class ltask.Handlers
---@field quit? async fun(): any # Answers the system's quit request (root's `kill`, the runtime's shutdown): call `ltask.quit()` when ready to end. Without it the service ends at once.
---@field [string] async fun(...: any): ...

---The request being handled, as `ltask.current_session()` gives it (both nil outside a request).
---@class ltask.Session
---@field from? ltask.address The sender.
---@field session? integer The sender's session (0: no answer expected).

---Several requests in flight, one wait for all of them (`ltask.async()`).
---
---```lua
---local a = ltask.async()
---a:request(s1, "load", "a"):request(s2, "load", "b")
---a:wait() -- raises the first error, if any
---```
---@class ltask.Async
local Async = {}

---Sends a request whose answer this object waits for; returns the object.
---@param addr ltask.address The service.
---@param name ltask.SystemRequest|string The request.
---@param ... any Its arguments.
---@return ltask.Async self
function Async:request(addr, name, ...) end

---Waits until every request sent through this object is answered; raises the first error.
---@async
function Async:wait() end

---A task of `ltask.parallel` that raised.
---@class ltask.ParallelError
---@field error any What it raised.
---@field rethrow fun(self: ltask.ParallelError) # Raises `error` again.

---The iterator `ltask.parallel` returns: each call gives the next task to finish and its result (`table.pack` of its values, or a `ltask.ParallelError`).
---@alias ltask.ParallelIterator async fun(): table?, (table|ltask.ParallelError)?

---A native module's proxy (`ltask.native "name"`): `m.fn(...)` runs `fn` on one of the module's carrier workers.
---
---The call parks the calling coroutine; the service keeps serving. Lua functions
---among the arguments (also inside tables) become synchronous callbacks for the
---library: each runs as a fresh coroutine of this service, with the whole API.
---A library exception is raised at the call site.
---@class ltask.NativeModule
---@field [string] async fun(...: any): ...

---What `ltask.spawn_service` takes (ltask's table form).
---@class ltask.SpawnOptions
---@field name string The service's name (a Lua script on the service path, or a registered TypeScript service).
---@field args? any[] Its arguments.
---@field worker_id? integer Pin it to this worker.
---@field unique? boolean Register it under `name`; an existing one is returned.
---@field label? string The label introspection and logs show (default: the name).
---@field restart? "none"|"restart"|"backoff" When it fails: nothing, start it again at once (at most 5 times in 10 s), or after 100 ms doubling to 5 s.
---@field runaway_ms? integer A handler running longer without yielding is stopped (0: never); default: the runtime's `runawayMs`.
---@field mem_limit? integer Its memory limit in bytes on the `mem_count` estimate (0: none); default: the runtime's `memLimit`.
---@field local? boolean With `unique`: one instance per worker (write it `["local"] = true`).

---The system messages `ltask.syscall` sends.
---@alias ltask.SystemMessage
---| "quit"      # Asks the service to quit: `S.quit` runs if it has one, else it ends.
---| "memory"    # Its memory estimate in bytes.
---| "traceback" # Where each of its waiting coroutines stands.
