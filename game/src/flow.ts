/**
 * The demo's flow as an engine state, and its controls as input actions.
 *
 * `Flow`: `loading` -> `title` (Enter / Space / pad A or Start / tap) ->
 * `playing` -> `won` (N / Enter / pad A or Start / tap) -> `loading` of the
 * next world. Screens show and hide in `OnEnter` / `OnExit`; gameplay systems
 * run only `inState(Flow, 'playing')`.
 *
 * `Controls`: `move` (WASD, arrows, the pad's d-pad and left stick), `talk`
 * (E, pad A), `confirm` (Enter, pad A, pad Start), `start` (Space), `next`
 * (N), `back` (Esc, pad B). Click / tap on the ground walks there (player.ts);
 * F3 / backquote and B stay on the keyboard (overlay.ts).
 */
import { axis2d, defineActions, defineState, key, padButton, padStick } from '@ltask-web/engine';

export type GameState = 'loading' | 'title' | 'playing' | 'won';

/** The game's flow (state `Game`). */
export const Flow = defineState<GameState>('Game', 'loading', ['loading', 'title', 'playing', 'won']);

/** Standard-mapping pad buttons. */
const PAD = { a: 0, b: 1, start: 9, up: 12, down: 13, left: 14, right: 15 } as const;

/** The player's controls. */
export const Controls = defineActions('Controls', {
  move: axis2d({
    left: [key('KeyA'), key('ArrowLeft'), padButton(PAD.left)],
    right: [key('KeyD'), key('ArrowRight'), padButton(PAD.right)],
    up: [key('KeyW'), key('ArrowUp'), padButton(PAD.up)],
    down: [key('KeyS'), key('ArrowDown'), padButton(PAD.down)],
    stick: padStick(0),
  }),
  talk: [key('KeyE'), padButton(PAD.a)],
  confirm: [key('Enter'), key('NumpadEnter'), padButton(PAD.a), padButton(PAD.start)],
  start: [key('Space')],
  next: [key('KeyN')],
  back: [key('Escape'), padButton(PAD.b)],
});
