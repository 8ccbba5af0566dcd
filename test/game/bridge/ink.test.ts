import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Story } from 'inkjs/full';
import { asset, startBridge, stopBridge, type Bridge } from './helpers.ts';

let b: Bridge;
let dialogue: number;
beforeAll(async () => {
  b = await startBridge();
  dialogue = await b.rt.spawn('dialogue');
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

describe('ink through the bridge (dialogue.lua)', () => {
  it('compiles main.ink with its INCLUDEs, each read through io; the JSON runs in inkjs', async () => {
    await b.resetIo();
    const [json, info] = (await b.rt.callMulti(dialogue, 'compile')) as [string, { files: string[]; warnings: string[]; ms: number }];
    const files = ['assets/dialogue/main.ink', 'assets/dialogue/characters.ink', 'assets/dialogue/chapters/tavern.ink'];
    expect(info.files).toEqual(files);
    // Lua's empty table arrives as {} (it cannot tell a list from a map).
    expect(Object.keys(info.warnings ?? {})).toHaveLength(0);
    expect(await b.ioStats()).toMatchObject({ reads: 3, bytes: files.reduce((n, f) => n + asset(f).byteLength, 0), errors: 0 });

    expect(typeof json).toBe('string');
    const story = new Story(json);
    expect(story.ContinueMaximally()).toBe(
      'The rain has not stopped for three days.\n' +
        'Mara waves you in from the doorway.\n' +
        '"Well met, traveller." says Mara.\n' +
        'You have 3 gold coins.\n',
    );
    expect(story.currentChoices.map((c) => c.text)).toEqual(['Buy a drink', 'Ask about the road']);
    story.ChooseChoiceIndex(1);
    expect(story.ContinueMaximally()).toBe('"The north road is flooded," Mara says.\n');
    expect(story.canContinue).toBe(false);
  });

  it('a missing main file fails at the call site with io\'s reason', async () => {
    await expect(b.rt.call(dialogue, 'compile', 'assets/dialogue/none.ink')).rejects.toThrow(
      /\[ink\].*assets\/dialogue\/none.ink.*\[io\] not found: assets\/dialogue\/none.ink/s,
    );
    expect(await b.rt.call(dialogue, 'ping', 1)).toBe(1);
  });
});
