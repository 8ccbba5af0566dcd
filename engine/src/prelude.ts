/**
 * The names most games use, in one import:
 * ```ts
 * import { App, DefaultPlugins, Update, Time, spawn, query, transform, mesh, rotateY } from '@ltask-web/engine/prelude';
 * ```
 * @module
 */
export { App, defineEvent, defineResource, First, FixedUpdate, Last, PostUpdate, PreUpdate, Render, Startup, Update } from './app/index.ts';
export type { Plugin, SystemContext } from './app/index.ts';
export { despawn, hasComponent, Not, query, spawn } from './ecs/index.ts';
export type { EntityId, World } from './ecs/index.ts';
export { FixedTime, Time } from './time/index.ts';
export { Keyboard, Mouse, Touches } from './input/index.ts';
export { rotateY, setParent, setPosition, transform, Transform } from './transform/index.ts';
export { camera, light, mesh, sceneRoot } from './render/index.ts';
export { AssetServer } from './assets/index.ts';
export type { Handle } from './assets/index.ts';
export { DefaultPlugins, MinimalPlugins } from './plugins/index.ts';
export { defineState, inState, OnEnter, OnExit, StatePlugin } from './state/index.ts';
