---@meta _

-- The requests the system services answer, as a Lua service sends them:
-- `ltask.call(1, "kill", addr)`, `ltask.call(io, "read", path)`. Each class
-- lists one service's requests with their arguments and answers; they are
-- descriptions (the services are TypeScript), not tables a script holds.
-- Definitions only, for lua-language-server.

---The requests of the system services, offered where `ltask.call`/`send` take a request name.
---@alias ltask.SystemRequest
---| "spawn"         # root: start a service by name.
---| "spawn_service" # root: start a service from options.
---| "uniqueservice" # root: start once, register the name.
---| "queryservice"  # root: the address of a named service.
---| "unique_call"   # root: call a unique service by name (started if needed).
---| "kill"          # root: ask a service to quit.
---| "inspect"       # root: every service, with its state.
---| "servicepath"   # root: where a service script is found.
---| "read"          # io: the bytes of a file (path [, offset, length]).
---| "stat"          # io: { size, kind } of a path.
---| "list"          # io: the names in a directory.

---Root (address 1): spawns services, keeps the names, answers introspection.
---The `ltask` functions of the same names send most of these.
---@class ltask.RootRequests
local RootRequests = {}

---Starts a service by name (`ltask.spawn`).
---@param name string The service's name.
---@param ... any Its arguments.
---@return ltask.address
function RootRequests.spawn(name, ...) end

---Starts a service from options (`ltask.spawn_service`).
---@param options ltask.SpawnOptions
---@return ltask.address
function RootRequests.spawn_service(options) end

---Starts the service once and registers its name (`ltask.uniqueservice`).
---@param name string The service's name.
---@param ... any Its arguments.
---@return ltask.address
function RootRequests.uniqueservice(name, ...) end

---Calls `method` on the unique service `name` (started with no arguments unless it runs or is starting)
---and answers every value it returned, as one array: one round trip for a caller that knows only the name.
---@param name string The service's name.
---@param method string The request to send it.
---@param ... any Its arguments.
---@return any[]
function RootRequests.unique_call(name, method, ...) end

---The address of a named service; waits until it is registered (`ltask.queryservice`).
---@param name string The service's name.
---@return ltask.address
function RootRequests.queryservice(name) end

---Asks a service to quit (its `S.quit` runs); `false` when it is gone or refused.
---@param addr ltask.address The service.
---@return boolean
function RootRequests.kill(addr) end

---Every service not yet dead (all of them, the dead included, when `all` is true).
---@param all? boolean
---@return ltask.ServiceInfo[]
function RootRequests.inspect(all) end

---Stops the runtime now: named services quit, then the host is told.
function RootRequests.shutdown() end

---Stops the runtime now (ltask's name for `shutdown`).
function RootRequests.quit_ltask() end

---Where a service script is found on the service path (`ltask.servicepath`).
---@param name string The service's name.
---@return string path
function RootRequests.servicepath(name) end

---Resends a request every 10 ms while the destination is busy (ltask's retry of a send that found it busy).
---@param addr ltask.address The destination.
---@param session integer The session to answer (0: none).
---@param type? ltask.MessageType Default: REQUEST.
---@param ... any The message.
---@return boolean delivered `false`: the destination is dead.
function RootRequests.send_retry(addr, session, type, ...) end

---Refused here: there is no message trace to turn on; runtime.inspect() and ltask.backtrace() show what services wait on.
---@deprecated
function RootRequests.tracelog() end

---A row of root's `inspect`.
---@class ltask.ServiceInfo
---@field address ltask.address
---@field label string
---@field kind "lua"|"ts"
---@field worker integer The worker it runs on.
---@field state string Its state (running, suspended, dead...).
---@field queue integer Messages waiting in its queue.
---@field handled integer Messages it has handled.
---@field cpuMs number Milliseconds it has run.
---@field detail? string What a suspended service waits on.
---@field fromTable? boolean Root did not answer in time: the row comes from the shared service table alone.

---The io service (`ltask.queryservice "io"`): asset reads that never block a worker.
---Errors start with `[io]`; paths stay inside the asset root.
---@class ltask.IoRequests
local IoRequests = {}

---The bytes of a file: all of it, from `offset` to the end, or exactly `length` bytes.
---@param path string Relative to the asset root, `/` separators.
---@param offset? integer
---@param length? integer
---@return string bytes
function IoRequests.read(path, offset, length) end

---The size and kind of a path (`""` is the root).
---@param path string
---@return ltask.IoStat
function IoRequests.stat(path) end

---The sorted names in a directory; directories end with `/`.
---@param dir? string Default: the root.
---@return string[]
function IoRequests.list(dir) end

---The counters of every io instance, added up.
---@return ltask.IoStats
function IoRequests.stats() end

---Zeroes the counters of every io instance.
function IoRequests.resetStats() end

---Changes the modelled latency and bandwidth of every instance; answers the settings.
---@param o? { latencyMs?: number, bandwidth?: number } `bandwidth` 0: unlimited.
---@return { latencyMs: number, bandwidth: number }
function IoRequests.configure(o) end

---What io's `stat` answers.
---@class ltask.IoStat
---@field size integer Bytes (directories: 0).
---@field kind "file"|"dir"

---What io's `stats` answers.
---@class ltask.IoStats
---@field reads integer Successful reads.
---@field bytes integer Bytes those reads answered.
---@field stats integer
---@field lists integer
---@field errors integer Requests that ended in an error.
---@field latencyMs number The modelled latency now.
---@field bandwidth number The modelled bandwidth now (bytes per second, 0: unlimited).
---@field backend table<string, number> The backend's counters (fetch: requests, rangeRequests, rangeIgnored, transferred).

---The timer (address 3): time for services that ask by message (`ltask.sleep` needs none).
---@class ltask.TimerRequests
local TimerRequests = {}

---Answers after `cs` centiseconds.
---@param cs number
function TimerRequests.sleep(cs) end

---Centiseconds since the runtime started.
---@return integer
function TimerRequests.now() end

---The logger (address 2): writes a line as the service that sent it (`ltask.log` and `print` write directly).
---@class ltask.LoggerRequests
local LoggerRequests = {}

---Writes a log line as the service `source` (`level` "error", else info).
---@param level "info"|"error"
---@param source ltask.address
---@param label string
---@param text string
function LoggerRequests.log(level, source, label, text) end
