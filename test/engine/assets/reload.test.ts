// Hot reload of assets in place: handles stay valid and see the new asset, a
// texture keeps its identity, a failed reload keeps the old asset, AssetEvents say `modified`.
import { describe, expect, it } from 'vitest';
import { Texture } from 'three';
import { App, AssetEvents, AssetPlugin, AssetServer, MemoryReader, MinimalPlugins, Update, type AssetEvent, type SystemContext } from '@ltask-web/engine';

// A 1 x 1 and a 2 x 2 PNG (headless in Node: the size comes from the header).
const png = (w: number, h: number) => {
  const b = new Uint8Array(45); // signature, IHDR, IEND (no pixels: never decoded)
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  b.set([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44], 33);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
};

function setup() {
  const reader = new MemoryReader({ 'level.json': '{"size": 3}', 'tile.png': png(1, 1) });
  const app = new App().addPlugins(MinimalPlugins, new AssetPlugin({ reader }));
  const events: AssetEvent[] = [];
  app.addSystems(Update, ({ read }: SystemContext) => void events.push(...read(AssetEvents)));
  return { app, reader, server: app.resource(AssetServer), events };
}

describe('asset hot reload', () => {
  it('JSON: the same handle gives the new value; AssetEvents says modified', async () => {
    const { app, reader, server, events } = setup();
    const h = server.load('level.json');
    expect(await h.loaded()).toEqual({ size: 3 });
    reader.set('level.json', '{"size": 5}');
    await server.reload('level.json');
    expect(h.asset).toEqual({ size: 5 });
    expect(h.state).toBe('loaded');
    app.update(1 / 60);
    expect(events.map((e) => e.type)).toEqual(['loaded', 'modified']);
  });

  it('a texture keeps its identity (materials holding it see the new image)', async () => {
    const { reader, server } = setup();
    const h = server.load('tile.png');
    const tex = await h.loaded();
    expect(tex).toBeInstanceOf(Texture);
    expect((tex.image as { width: number }).width).toBe(1);
    reader.set('tile.png', png(2, 2));
    await server.reload('tile.png');
    expect(h.asset).toBe(tex);
    expect((tex.image as { width: number }).width).toBe(2);
    expect(tex.version).toBeGreaterThan(0); // needsUpdate was set
  });

  it('a reload that fails keeps the old asset and reports why; a path not loaded is left alone', async () => {
    const { app, reader, server, events } = setup();
    const h = server.load('level.json');
    await h.loaded();
    reader.set('level.json', '{"size": ');
    await server.reload('level.json');
    expect(h.asset).toEqual({ size: 3 });
    expect(h.state).toBe('loaded');
    app.update(1 / 60);
    expect(events.at(-1)?.type).toBe('failed');
    expect(events.at(-1)?.error?.message).toMatch(/"level\.json" is not valid JSON/);
    await server.reload('never-loaded.json');
    expect(server.getLoadState('never-loaded.json')).toBe('notLoaded');
  });
});
