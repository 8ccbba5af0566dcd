/**
 * The game's native modules: third-party libraries the runtime runs on carrier
 * workers, with Lua callbacks for their synchronous reads (see README.md).
 */
import gltfpack from './gltfpack.ts';
import ink from './ink.ts';
import sqlite from './sqlite.ts';

export type { PackIo, PackResult } from './gltfpack.ts';
export type { CompileOptions, CompileResult, InkIo } from './ink.ts';
export type { QueryOptions, QueryResult, ReadStats, SqliteIo } from './sqlite.ts';

export { gltfpack, ink, sqlite };

/** All of them, for registration with the runtime. */
export const natives = [gltfpack, sqlite, ink] as const;
