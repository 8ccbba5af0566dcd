/**
 * App door: the App, plugins and groups, schedules, systems, resources,
 * events and commands.
 * @module
 */
export { App } from './app.ts';
export type { AppState, ScheduleRunner } from './app.ts';
export { Commands } from './commands.ts';
export { and, not, onEvent, or, resourceExists } from './conditions.ts';
export type { Command } from './commands.ts';
export { defineEvent, EventCursor, Events } from './events.ts';
export type { EventKey } from './events.ts';
export { PluginGroup, pluginName } from './plugin.ts';
export type { Plugin, PluginFn, Plugins } from './plugin.ts';
export { defineResource } from './resources.ts';
export type { ResourceKey, ResourceToken } from './resources.ts';
export {
  First,
  FixedUpdate,
  Last,
  MAIN_SCHEDULES,
  PostUpdate,
  PreUpdate,
  Render,
  Schedule,
  Startup,
  Update,
} from './schedule.ts';
export type { Condition, ScheduleLabel, SetOptions, System, SystemEntry, SystemOptions, SystemRef } from './schedule.ts';
export type { AppPort, SystemContext } from './system.ts';
