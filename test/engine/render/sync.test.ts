import { describe, expect, it } from 'vitest';
import {
  AmbientLight, BoxGeometry, DirectionalLight, Matrix4, Mesh, MeshBasicMaterial, OrthographicCamera, PerspectiveCamera, SphereGeometry, Vector3,
} from 'three';
import { App } from '../../../engine/src/app/index.ts';
import { AssetPlugin, AssetServer, MemoryReader } from '../../../engine/src/assets/index.ts';
import { addComponent, despawn, removeComponent, spawn } from '../../../engine/src/ecs/index.ts';
import {
  camera, Camera3d, Hidden, light, Light3d, mesh, Mesh3d, RenderContext, RenderPlugin, sceneRoot,
} from '../../../engine/src/render/index.ts';
import { setParent, transform, Transform, TransformPlugin } from '../../../engine/src/transform/index.ts';
import { fixture } from '../assets/helpers.ts';

function headlessApp() {
  const app = new App().addPlugins(new TransformPlugin(), new RenderPlugin({ width: 320, height: 160 }));
  return { app, ctx: app.resource(RenderContext) };
}

/** Entity ids of the scene's direct children, sorted. */
function sceneEids(ctx: RenderContext): number[] {
  return ctx.scene.children.map((o) => o.userData.eid as number).sort((a, b) => a - b);
}

describe('RenderPlugin (headless)', () => {
  it('is headless in Node and still keeps a scene', () => {
    const { ctx } = headlessApp();
    expect(ctx.headless).toBe(true);
    expect(ctx.scene.children).toHaveLength(0);
  });

  it('keeps the three scene matching the ECS after adds and removes', () => {
    const { app, ctx } = headlessApp();
    const w = app.world;
    const box = new BoxGeometry();
    const red = new MeshBasicMaterial({ color: 0xff0000 });
    const cam = spawn(w, camera(new PerspectiveCamera(60, 1, 0.1, 100)), transform({ position: [0, 0, 5] }));
    const sun = spawn(w, light(new DirectionalLight()), transform({ position: [1, 1, 1] }));
    const a = spawn(w, mesh(box, red), transform({ position: [-1, 0, 0] }));
    const b = spawn(w, mesh(box, red), transform({ position: [1, 0, 0] }));
    app.update(0);
    expect(sceneEids(ctx)).toEqual([cam, sun, a, b].sort((x, y) => x - y));
    expect(ctx.sync.activeCamera).toBe(Camera3d.camera[cam]);
    const objA = ctx.sync.objects.get(a) as Mesh;
    expect(objA).toBeInstanceOf(Mesh);
    expect(objA.geometry).toBe(box);

    despawn(w, a);
    removeComponent(w, sun, Light3d);
    const c = spawn(w, mesh(new SphereGeometry(), red));
    app.update(0);
    expect(sceneEids(ctx)).toEqual([cam, b, c].sort((x, y) => x - y));
    // A recycled id gets a fresh object, not the despawned one.
    expect(ctx.sync.objects.get(c)).not.toBe(objA);
    expect((ctx.sync.objects.get(c) as Mesh).geometry).toBeInstanceOf(SphereGeometry);

    despawn(w, cam);
    app.update(0);
    expect(ctx.sync.activeCamera).toBeNull();
  });

  it('follows component changes: new geometry, new material, hidden', () => {
    const { app, ctx } = headlessApp();
    const eid = spawn(app.world, mesh(new BoxGeometry(), new MeshBasicMaterial()));
    app.update(0);
    const obj = ctx.sync.objects.get(eid) as Mesh;
    const sphere = new SphereGeometry();
    Mesh3d.geometry[eid] = sphere;
    addComponent(app.world, eid, Hidden);
    app.update(0);
    expect(ctx.sync.objects.get(eid)).toBe(obj);
    expect(obj.geometry).toBe(sphere);
    expect(obj.visible).toBe(false);
  });

  it('drops an object whose component no longer names a three object', () => {
    const { app, ctx } = headlessApp();
    const eid = spawn(app.world, mesh(new BoxGeometry(), new MeshBasicMaterial()));
    app.update(0);
    expect(ctx.scene.children).toHaveLength(1);
    Mesh3d.geometry[eid] = undefined;
    app.update(0);
    expect(ctx.scene.children).toHaveLength(0);
    expect(ctx.sync.objects.has(eid)).toBe(false);
  });

  it('copies world transforms, parents included, into the objects', () => {
    const { app, ctx } = headlessApp();
    const w = app.world;
    const parent = spawn(w, transform({ position: [0, 2, 0], euler: [0, Math.PI / 2, 0] }));
    const child = spawn(w, mesh(new BoxGeometry(), new MeshBasicMaterial()), transform({ position: [1, 0, 0] }));
    setParent(w, child, parent);
    app.update(0);
    ctx.scene.updateMatrixWorld(true);
    const p = new Vector3().setFromMatrixPosition(ctx.sync.objects.get(child)!.matrixWorld);
    expect(p.x).toBeCloseTo(0, 5);
    expect(p.y).toBeCloseTo(2, 5);
    expect(p.z).toBeCloseTo(-1, 5);
    Transform.px[parent] = 10;
    app.update(0);
    ctx.scene.updateMatrixWorld(true);
    expect(new Vector3().setFromMatrixPosition(ctx.sync.objects.get(child)!.matrixWorld).x).toBeCloseTo(10, 5);
    expect(ctx.sync.objects.get(parent)).toBeUndefined();
  });

  it('renders with the camera of lowest order and fits its aspect to the size', () => {
    const { app, ctx } = headlessApp();
    const back = new PerspectiveCamera(60, 1, 0.1, 100);
    const front = new OrthographicCamera();
    spawn(app.world, camera(back, 1));
    const frontEid = spawn(app.world, camera(front, 0));
    spawn(app.world, camera(new PerspectiveCamera(), 0)); // a tie goes to the lower id
    spawn(app.world, light(new AmbientLight()));
    app.update(0);
    expect(ctx.sync.activeCamera).toBe(front);
    despawn(app.world, frontEid);
    app.update(0);
    const active = ctx.sync.activeCamera as PerspectiveCamera;
    expect(active).not.toBe(back);
    expect(active.aspect).toBe(2);
    expect(ctx.frames).toBe(2);
  });

  it('instances a glTF scene once its handle loads, and lets go of the handle on despawn', async () => {
    const app = new App().addPlugins(
      new TransformPlugin(),
      new AssetPlugin({ reader: new MemoryReader({ 't.gltf': fixture('triangle.gltf'), 'triangle.bin': fixture('triangle.bin'), 'checker.png': fixture('checker.png') }) }),
      new RenderPlugin(),
    );
    const ctx = app.resource(RenderContext);
    const server = app.resource(AssetServer);
    const handle = server.load('t.gltf');
    const eid = spawn(app.world, sceneRoot(handle), transform({ position: [0, 0, -3] }));
    handle.drop(); // the entity holds its own clone
    app.update(0);
    const root = ctx.sync.objects.get(eid)!;
    expect(root.children).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    app.update(0);
    expect(root.getObjectByName('Triangle')).toBeInstanceOf(Mesh);
    expect(new Matrix4().copy(root.matrix).elements[14]).toBe(-3);
    despawn(app.world, eid);
    app.update(0);
    expect(server.getLoadState('t.gltf')).toBe('notLoaded');
    expect(ctx.scene.children).toHaveLength(0);
  });
});
