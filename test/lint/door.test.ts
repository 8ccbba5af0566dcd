// The package's root entry is a narrow door: what a game calls (startRuntime),
// the errors and states the runtime reports, and types. The wire (message
// codes, codec) is behind `/internal`; `Runtime` is a type, so nobody builds or
// subclasses one; the system services' privileged context is in no public type.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '@ltask-web/plugin-ltask';
import * as internal from '@ltask-web/plugin-ltask/internal';

const src = (p: string) => readFileSync(resolve(import.meta.dirname, '../../plugin-ltask/src', p), 'utf8');

describe('plugin-ltask root entry', () => {
  it('gives values for startRuntime, ServiceError and the service states only', () => {
    expect(Object.keys(root).sort()).toEqual(['ServiceError', 'ServiceState', 'startRuntime', 'stateName']);
  });

  it('keeps the wire behind /internal', () => {
    expect(Object.keys(internal).sort()).toEqual(['Address', 'CodecError', 'MessageType', 'Receipt', 'checkIsolation', 'decode', 'encode', 'encodeLua', 'pushLua', 'runtimeInternals']);
  });

  it("names Runtime as a type, and the user's ServiceContext has no privileged part", () => {
    expect(src('entries/index.ts')).toMatch(/export type \{[^}]*\bRuntime\b[^}]*\}/);
    expect(src('api/service.ts')).not.toMatch(/SystemContext|Privileges|system\?:/);
  });
});
