/**
 * The scene: ground, lights, camera, the player (WASD / arrow keys) and a
 * spinning marker that shows frames keep coming while services wait.
 */
import {
  AmbientLight, BoxGeometry, CapsuleGeometry, DirectionalLight, MeshStandardMaterial, PerspectiveCamera, PlaneGeometry, TorusKnotGeometry,
} from 'three';
import { Keyboard, Time, Transform, camera, light, mesh, query, rotateY, spawn, transform, setPosition, type SystemContext } from '@ltask-web/engine';
import { LevelGrid, TILE } from './level.ts';

/** Tags. */
export const Player = {};
export const Marker = {};
export const FollowCamera = {};

const SPEED = 6; // tiles per second

/** Startup: ground, lights, camera, player, marker. */
export function setupWorld({ world }: SystemContext): void {
  const ground = new PlaneGeometry(32 * TILE + 4, 24 * TILE + 4);
  ground.rotateX(-Math.PI / 2);
  spawn(world, mesh(ground, new MeshStandardMaterial({ color: 0x2f4f3a, roughness: 0.95 })), transform({ position: [0, 0, 0] }));
  spawn(world, light(new AmbientLight(0xffffff, 0.6)), transform());
  spawn(world, light(new DirectionalLight(0xffffff, 2.2)), transform({ position: [6, 12, 8] }));
  spawn(world, FollowCamera, camera(new PerspectiveCamera(55, 1, 0.1, 200)), transform({ position: [0, 11, 7], euler: [-1.0, 0, 0] }));
  spawn(world, Player, mesh(new CapsuleGeometry(0.38, 0.7, 4, 16), new MeshStandardMaterial({ color: 0xffe066, emissive: 0x664400 })), transform({ position: [0, 0.75, 0] }));
  spawn(world, Marker, mesh(new TorusKnotGeometry(0.5, 0.16, 96, 12), new MeshStandardMaterial({ color: 0xee6c4d, metalness: 0.3, roughness: 0.4 })),
    transform({ position: [-1.8, 2, -3.5] }));
  // A plinth for the packed model.
  spawn(world, mesh(new BoxGeometry(1.6, 0.3, 1.6), new MeshStandardMaterial({ color: 0x6c757d })), transform({ position: [1.8, 0.15, -3] }));
}

/** Update: moves the player with WASD / arrows; blocked tiles stop it. */
export function movePlayer({ world, resource }: SystemContext): void {
  const keys = resource(Keyboard);
  const dt = resource(Time).delta;
  let dx = 0;
  let dz = 0;
  if (keys.pressed('KeyW') || keys.pressed('ArrowUp')) dz -= 1;
  if (keys.pressed('KeyS') || keys.pressed('ArrowDown')) dz += 1;
  if (keys.pressed('KeyA') || keys.pressed('ArrowLeft')) dx -= 1;
  if (keys.pressed('KeyD') || keys.pressed('ArrowRight')) dx += 1;
  if (dx === 0 && dz === 0) return;
  const len = Math.hypot(dx, dz);
  const grid = resource(LevelGrid);
  for (const eid of query(world, [Player])) {
    const x = Transform.px[eid]!;
    const z = Transform.pz[eid]!;
    const nx = x + (dx / len) * SPEED * dt;
    const nz = z + (dz / len) * SPEED * dt;
    // Slide along walls: try both axes, then each.
    if (grid.free(nx, nz)) setPosition(eid, nx, Transform.py[eid]!, nz);
    else if (grid.free(nx, z)) setPosition(eid, nx, Transform.py[eid]!, z);
    else if (grid.free(x, nz)) setPosition(eid, x, Transform.py[eid]!, nz);
    rotateY(eid, 0); // keep upright
  }
}

/** Update: the marker spins at a steady rate: a frozen frame shows at once. */
export function spinMarker({ world, resource }: SystemContext): void {
  const dt = resource(Time).delta;
  for (const eid of query(world, [Marker])) rotateY(eid, dt * 2);
}

/** Update: the camera follows the player from above and behind. */
export function followPlayer({ world }: SystemContext): void {
  const player = query(world, [Player])[0];
  if (player === undefined) return;
  for (const eid of query(world, [FollowCamera])) {
    setPosition(eid, Transform.px[player]!, 11, Transform.pz[player]! + 7);
  }
}
