// A cube that spins: one App, the default plugins, one startup system, one update system.
import { BoxGeometry, DirectionalLight, MeshStandardMaterial, PerspectiveCamera } from 'three';
import { App, camera, DefaultPlugins, light, mesh, query, rotateY, spawn, Startup, Time, transform, Update } from '@ltask-web/engine';

const Spin = {}; // a tag component: entities with it spin

// run() settles when the App exits; a frame that throws rejects it, which
// the browser reports as an unhandled rejection: nothing to add here.
void new App()
  .addPlugins(DefaultPlugins)
  .addSystems(Startup, function setup({ world }) {
    spawn(world, camera(new PerspectiveCamera(60, 1, 0.1, 100)), transform({ position: [0, 1, 4], euler: [-0.25, 0, 0] }));
    spawn(world, light(new DirectionalLight(0xffffff, 3)), transform({ position: [2, 3, 4] }));
    spawn(world, Spin, mesh(new BoxGeometry(), new MeshStandardMaterial({ color: 'orange' })), transform());
  })
  .addSystems(Update, function spin({ world, resource }) {
    for (const eid of query(world, [Spin])) rotateY(eid, resource(Time).delta);
  })
  .run();
