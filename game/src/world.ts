/**
 * The scene: ground, lights, camera, the player (WASD / arrow keys) and a
 * spinning marker that shows frames keep coming while services wait.
 */
import {
  AmbientLight, BoxGeometry, CapsuleGeometry, DirectionalLight, MeshStandardMaterial, NearestFilter, PerspectiveCamera, PlaneGeometry, RepeatWrapping,
  TorusKnotGeometry, type Texture,
} from 'three';
import {
  AssetServer, Keyboard, Time, Transform, camera, light, mesh, query, rotateY, spawn, transform, setPosition, type Handle, type SystemContext,
} from '@ltask-web/engine';
import { LevelGrid, TILE } from './level.ts';
import { Loading } from './loading.ts';

/** Tags. */
export const Player = {};
export const Marker = {};
export const FollowCamera = {};

const SPEED = 6; // tiles per second

/** The first scene's asset: the ground's checker texture (one square per tile), from /assets/ over fetch. */
export const GROUND_TEXTURE = 'scene/checker.png';
const GROUND_W = 32 * TILE + 4;
const GROUND_D = 24 * TILE + 4;
const groundMaterial = new MeshStandardMaterial({ color: 0x2f4f3a, roughness: 0.95 });

/** The ground texture's handle, until it is applied. */
export class GroundTexture {
  handle: Handle<Texture> | null = null;
  applied = false;
}

/** Startup: ground, lights, camera, player, marker; starts loading the ground texture. */
export function setupWorld({ world, resource }: SystemContext): void {
  const ground = new PlaneGeometry(GROUND_W, GROUND_D);
  ground.rotateX(-Math.PI / 2);
  spawn(world, mesh(ground, groundMaterial), transform({ position: [0, 0, 0] }));
  resource(GroundTexture).handle = resource(Loading).track(resource(AssetServer).load<Texture>(GROUND_TEXTURE));
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

/** Update: puts the checker texture on the ground once loaded (8 x 8 squares: one per tile). */
export function applyGroundTexture({ resource }: SystemContext): void {
  const slot = resource(GroundTexture);
  const texture = slot.handle?.asset;
  if (slot.applied || !texture) return;
  slot.applied = true;
  texture.wrapS = texture.wrapT = RepeatWrapping;
  texture.repeat.set(GROUND_W / 8 / TILE, GROUND_D / 8 / TILE);
  texture.magFilter = NearestFilter;
  texture.needsUpdate = true;
  groundMaterial.map = texture;
  groundMaterial.color.set(0x4f7a60); // white squares: the old ground green; blue ones: darker
  groundMaterial.needsUpdate = true;
}
