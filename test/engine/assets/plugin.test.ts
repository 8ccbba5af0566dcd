import { describe, expect, it } from 'vitest';
import { App, Update } from '../../../engine/src/app/index.ts';
import {
  AssetEvents, AssetPlugin, AssetServer, MemoryReader, registerAssetLoader, registerAssetSource,
} from '../../../engine/src/assets/index.ts';
import type { AssetEvent } from '../../../engine/src/assets/index.ts';

describe('AssetPlugin', () => {
  it('sends AssetEvents to systems and takes loaders and sources through registration functions', async () => {
    const app = new App().addPlugins(new AssetPlugin({ reader: new MemoryReader({ 'a.json': '[1,2]' }) }));
    registerAssetLoader(app, { name: 'upper', extensions: ['up'], load: (b) => new TextDecoder().decode(b).toUpperCase() });
    registerAssetSource(app, 'io', new MemoryReader({ 'x.up': 'shout' }));
    const seen: AssetEvent[] = [];
    app.addSystems(Update, ({ read }) => { seen.push(...read(AssetEvents)); });
    const server = app.resource(AssetServer);
    const json = server.load('a.json');
    const up = server.load<string>('io://x.up');
    await Promise.all([json.loaded(), up.loaded()]);
    expect(up.asset).toBe('SHOUT');
    app.update(0);
    json.drop();
    app.update(0);
    expect(seen.map((e) => `${e.type} ${e.path}`)).toEqual(['loaded a.json', 'loaded io://x.up', 'removed a.json']);
  });
});
