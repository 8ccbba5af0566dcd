---@meta world

-- The `world` module as `local world = require "world"` gives it to a Lua
-- service: the components the App shares (LtaskPlugin's `world` option), read
-- as of the last completed frame and written through the service's command
-- buffer, applied in the App's `PreUpdate`. Definitions only, for
-- lua-language-server (LuaLS): the runtime never loads this file. Semantics
-- in full: docs/world.md.
--
-- A step is what a service runs for one message: a handler (or a tick, an
-- event, a fork) up to its end or its first wait. All the reads of a step come
-- from one frame; its writes go to the App together, in order, or not at all.

---An entity's id: `generation * MAX_ENTITIES + index` (below 2^31, an integer in Lua). A despawned entity's id is stale forever.
---@alias world.id integer

---A component's fields by name: `{ px = 1, py = 0, pz = 2 }` (numbers, stored as the App's typed array holds them).
---@alias world.Fields table<string, number>

---What the App shares, by name: `{ Transform = { px = 1 }, Npc = { kind = 2 } }`.
---@alias world.Components table<string, world.Fields>

---A tick: `dt` the game time since this service's last tick, `elapsed` the App's game time, `frame` the App's frame.
---@alias world.TickFn fun(dt: number, elapsed: number, frame: integer)

---The App's clock as of the frame this step reads (`world.time()`).
---@class world.Time
---@field frame integer The App's frame (`app.frame`).
---@field elapsed number Seconds of game time (paused time does not count; the time scale applies).
---@field delta number The frame's game-time delta, in seconds (0 while paused).
---@field paused boolean The App's `Time.paused`.
---@field scale number The App's `Time.scale` (1: real time).
---@field fixed_step number `FixedUpdate`'s step in seconds (0: the App has none).

---The App's world, from a Lua service.
---@class worldlib
local world = {}

---------------------------------------------------------------- reading (the frame this step reads)

---A component of `id` as a table (a copy), or one field; nil when the entity lacks it, is gone, or no frame was published yet.
---@param id world.id The entity.
---@param component string A shared component's name (an unknown one raises, listing those the App shares).
---@param field? string One field's name (an unknown one raises, listing the component's fields).
---@return world.Fields|number|nil
---@overload fun(id: world.id, component: string): world.Fields?
---@overload fun(id: world.id, component: string, field: string): number?
---@nodiscard
function world.get(id, component, field) end

---Whether `id` has the component, in the frame this step reads.
---@param id world.id The entity.
---@param component string A shared component's name.
---@return boolean
---@nodiscard
function world.has(id, component) end

---Whether `id` names an entity services can see (one with a shared component), in the frame this step reads.
---@param id world.id The entity.
---@return boolean
---@nodiscard
function world.alive(id) end

---The ids of the entities that have every component named, in the frame this step reads (none named: every entity services can see), in no set order.
---@param ... string Shared components' names.
---@return world.id[]
---@nodiscard
function world.query(...) end

---The App's clock as of the frame this step reads; nil before the first frame is published.
---@return world.Time?
---@nodiscard
function world.time() end

---------------------------------------------------------------- writing (applied in the App's PreUpdate)

---Writes fields of `id`'s component; the entity gets the component if it lacks it. Raises on a stale id.
---
---`world.set(id, "Transform", "px", 3)` writes one field;
---`world.set(id, "Transform", { px = 3, pz = 4 })` writes the fields named and
---leaves the others as they are.
---@param id world.id The entity.
---@param component string A shared component's name.
---@param field string|world.Fields A field's name, or a table of fields and their values.
---@param value? number The value, with a field's name.
---@overload fun(id: world.id, component: string, values: world.Fields)
function world.set(id, component, field, value) end

---A new entity's id, taken from the App's reserve: usable at once for writes; reads see the entity from the frame after the spawn is applied.
---
---`prefab` (one of LtaskPlugin's `world.prefabs`) runs on the entity when the
---spawn is applied, before the components' values are written. Raises when
---this frame's reserve is used up (LtaskPlugin's `world.reserve`).
---@param prefab? string The prefab's name (nil: none).
---@param components? world.Components Initial values, by component.
---@return world.id id
---@overload fun(components: world.Components): world.id
function world.spawn(prefab, components) end

---Despawns `id` and its children (applied in `PreUpdate`); its id is stale from then on. Raises on a stale id.
---@param id world.id The entity.
function world.despawn(id) end

---Removes the component from `id`; an entity that loses its last shared component leaves the services' view and its id ends. Raises on a stale id.
---@param id world.id The entity.
---@param component string A shared component's name.
function world.remove(id, component) end

---------------------------------------------------------------- events

---Sends an event to the App (one of LtaskPlugin's `world.eventsOut`): it is sent there as that App event in `PreUpdate`, with the step's writes.
---@param kind string The event kind's name.
---@param value any Its value (it crosses as a message value: no functions).
function world.emit(kind, value) end

---Runs `fn(value)` for each App event of `kind` (one of LtaskPlugin's `world.eventsIn`), each as a message of its own; events of the frames from the one whose `PreUpdate` applies this step on.
---@param kind string The event kind's name.
---@param fn fun(value: any) The listener.
function world.on(kind, fn) end

---------------------------------------------------------------- the App's clock

---Runs `fn(dt, elapsed, frame)` once per App frame in which game time moved (none while paused); a slow service gets one tick with all the time since its last, never a backlog.
---
---A tick is a step of its own: a callback that raises drops the writes of the
---whole tick (its error is logged), unless the tick already waited.
---@param fn world.TickFn The callback.
function world.on_tick(fn) end

---Runs `fn(dt, elapsed, frame)` on a tick once at least `seconds` of game time have gathered since its last run; `dt` is that time.
---@param seconds number Game seconds between runs (> 0).
---@param fn world.TickFn The callback.
function world.every(seconds, fn) end

return world
