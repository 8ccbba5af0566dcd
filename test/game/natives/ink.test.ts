import { describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import ink from '../../../game/natives/ink.ts';
import { expectPayload, readAsset } from './helpers.ts';

const { compile } = ink.functions;

/** Serves files as JS strings, the way a Lua string of valid UTF-8 arrives. */
function textIo(files?: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    read(path: string) {
      reads.push(path);
      if (files) return files[path] ?? null;
      const b = readAsset(path);
      return b && new TextDecoder().decode(b);
    },
  };
}

describe('ink native module', () => {
  it('compiles main.ink with its INCLUDEs into JSON that inkjs runs', () => {
    const io = textIo();
    const r = compile('dialogue/main.ink', io);
    expectPayload(r);
    expect(io.reads).toEqual(['dialogue/main.ink', 'dialogue/characters.ink', 'dialogue/chapters/tavern.ink']);
    expect(r.files).toEqual(io.reads);
    expect(r.warnings).toEqual([]);
    expect(JSON.parse(r.json).inkVersion).toBeGreaterThanOrEqual(21);

    const story = new Story(r.json);
    expect(story.ContinueMaximally()).toBe(
      'The rain has not stopped for three days.\n' +
        'Mara waves you in from the doorway.\n' +
        '"Well met, traveller." says Mara.\n' +
        'You have 3 gold coins.\n',
    );
    expect(story.currentChoices.map((c) => c.text)).toEqual(['Buy a drink', 'Ask about the road']);
    story.ChooseChoiceIndex(0);
    expect(story.ContinueMaximally()).toBe('You drink by the fire. 2 coins left.\n');
    expect(story.canContinue).toBe(false);
  });

  it('takes files as bytes too (a Lua string that is not valid UTF-8 arrives as a Uint8Array)', () => {
    const r = compile('dialogue/main.ink', { read: (p: string) => readAsset(p) });
    const story = new Story(r.json);
    expect(story.Continue()).toBe('The rain has not stopped for three days.\n');
  });

  it('throws the compiler\'s messages for broken ink, a missing INCLUDE, a missing main file; then compiles again', () => {
    const broken = textIo({ 'game/main.ink': 'INCLUDE part.ink\n-> start\n', 'game/part.ink': '=== start ===\nHello {x\n-> nowhere\n' });
    expect(() => compile('game/main.ink', broken)).toThrow(
      /^\[ink\] game\/main.ink: ERROR: 'part.ink' line 2: Expected some kind of logic, conditional or sequence within braces/,
    );
    const divert = textIo({ 'main.ink': '-> missing_knot\n' });
    expect(() => compile('main.ink', divert)).toThrow(/Divert target not found: '-> missing_knot'/);
    const missing = textIo({ 'main.ink': 'INCLUDE gone.ink\nHi.\n' });
    expect(() => compile('main.ink', missing)).toThrow(/Failed to load: 'gone.ink'.*\n.*cannot read "gone.ink"/);
    expect(() => compile('nothing.ink', textIo({}))).toThrow('cannot read "nothing.ink"');
    expect(() => compile('main.ink', {})).toThrow(/expected a table with a function "read"/);

    const ok = compile('dialogue/main.ink', textIo());
    expect(new Story(ok.json).Continue()).toBe('The rain has not stopped for three days.\n');
  });

  it('reports warnings and TODOs without failing', () => {
    const r = compile('w.ink', textIo({ 'w.ink': 'TODO: write the ending\nHello.\n-> END\n' }));
    expect(r.authorMessages).toHaveLength(1);
    expect(r.authorMessages[0]).toContain('write the ending');
    expect(new Story(r.json).ContinueMaximally()).toBe('Hello.\n');
  });
});
