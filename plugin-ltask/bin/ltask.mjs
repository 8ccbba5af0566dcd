#!/usr/bin/env node
// The headless runner: `ltask <main.lua> [--workers N] [--path "dir/?.lua;..."]`.
// Loads the TypeScript sources through tsx, so it works from the repository after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/runner.ts');
process.exitCode = await main(process.argv.slice(2));
