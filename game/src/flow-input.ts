/**
 * The flow's input (the `Controls` actions, flow.ts): the title card and the
 * win panel go on, a villager in reach talks, dialogue choices and leaving.
 */
import { Keyboard, type SystemContext } from '@ltask-web/engine';
import { Ltask } from '@ltask-web/plugin-ltask/engine';
import { Dialogue } from './dialogue.ts';
import { Controls } from './flow.ts';
import { Npcs } from './npcs.ts';
import { PlayerState } from './player.ts';
import { DirectorTalkReply, Game, TALK_RANGE, beginWorld } from './rules.ts';

/** Update, in `title`: Enter / Space / pad A or Start / a tap starts play. */
export function titleInput(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  const c = ctx.resource(Controls);
  const tapped = game.tapped;
  game.tapped = false;
  if (c.justPressed('confirm') || c.justPressed('start') || tapped) game.go('playing');
}

/** Update, in `won`: N / Enter / pad A or Start / a tap loads the next world. */
export function wonInput(ctx: SystemContext): void {
  const game = ctx.resource(Game);
  const c = ctx.resource(Controls);
  const tapped = game.tapped;
  game.tapped = false;
  if (c.justPressed('confirm') || c.justPressed('next') || tapped) beginWorld(ctx, game.nextWorld());
}

/** Update, in `playing`: talk (E / pad A), dialogue choices (1-9), leave (Esc / pad B). */
export function playInput(ctx: SystemContext): void {
  const keys = ctx.resource(Keyboard);
  const c = ctx.resource(Controls);
  const d = ctx.resource(Dialogue);
  ctx.resource(Game).tapped = false;
  if (d.open) {
    for (let i = 0; i < 9; i++) if (keys.justPressed(`Digit${i + 1}`) || keys.justPressed(`Numpad${i + 1}`)) d.choose(i);
    if (c.justPressed('back') || ((c.justPressed('talk') || c.justPressed('confirm')) && (d.ended || d.error))) d.close();
  } else if (c.justPressed('talk')) talkToNearest(ctx);
}

function talkToNearest(ctx: SystemContext): void {
  const p = ctx.resource(PlayerState);
  let best: { id: number; name: string; d: number } | null = null;
  for (const v of ctx.resource(Npcs).list()) {
    if (v.kind !== 'villager') continue;
    const d = Math.hypot(v.x - p.x, v.z - p.z);
    if (d <= TALK_RANGE && (!best || d < best.d)) best = { id: v.id, name: v.name, d };
  }
  if (!best) {
    ctx.resource(Game).toast('Nobody to talk to here', 'info', 1000);
    return;
  }
  ctx.resource(Dialogue).wait(best.name);
  ctx.resource(Ltask).request(DirectorTalkReply, 'director', 'talk', [best.id]);
}
