/**
 * The flow's input (the `Controls` actions, flow.ts): the title card and the
 * win panel go on, a villager in reach talks, dialogue choices and leaving.
 */
import { Keyboard, UiClick, type SystemContext } from '@ltask-web/engine';
import { Ltask } from '@ltask-web/plugin-ltask/engine';
import { Dialogue } from './dialogue.ts';
import { Controls } from './flow.ts';
import { Npcs } from './npcs.ts';
import { PlayerState } from './player.ts';
import { DirectorTalkReply, Game, TALK_RANGE, beginWorld } from './rules.ts';

/** Whether a UI button of that name was pressed (clicked, tapped, or Enter / pad A on the focus). */
const clicked = (ctx: SystemContext, name: string) => ctx.read(UiClick).some((c) => c.name === name);

/** Update, in `title`: Enter / Space / pad A or Start / the start button starts play. */
export function titleInput(ctx: SystemContext): void {
  const c = ctx.resource(Controls);
  if (clicked(ctx, 'start') || c.justPressed('confirm') || c.justPressed('start')) ctx.resource(Game).go('playing');
}

/** Update, in `won`: N / Enter / pad A or Start / the next button loads the next world. */
export function wonInput(ctx: SystemContext): void {
  const c = ctx.resource(Controls);
  if (clicked(ctx, 'next') || c.justPressed('confirm') || c.justPressed('next')) beginWorld(ctx, ctx.resource(Game).nextWorld());
}

/** Update, in `playing`: talk (E / pad A / the talk button), dialogue choices (1-9 or their buttons), leave (Esc / pad B / the close button). */
export function playInput(ctx: SystemContext): void {
  const keys = ctx.resource(Keyboard);
  const c = ctx.resource(Controls);
  const d = ctx.resource(Dialogue);
  const clicks = ctx.read(UiClick).map((e) => e.name ?? '');
  if (d.open) {
    const picked = clicks.find((n) => n.startsWith('choice-'));
    if (picked) d.choose(Number(picked.slice('choice-'.length)));
    else for (let i = 0; i < 9; i++) if (keys.justPressed(`Digit${i + 1}`) || keys.justPressed(`Numpad${i + 1}`)) d.choose(i);
    const close = clicks.includes('dialogue-close') || c.justPressed('back');
    // Pad A is `talk` and presses the focused choice: it closes only a story that has ended.
    if (close || (!picked && (c.justPressed('talk') || c.justPressed('confirm')) && (d.ended || d.error))) d.close();
  } else if (c.justPressed('talk') || clicks.includes('talk')) talkToNearest(ctx);
}

/** The villager in talking reach of the player, if any (the nearest). */
export function villagerInReach(ctx: Pick<SystemContext, 'resource'>): { id: number; name: string } | null {
  const p = ctx.resource(PlayerState);
  let best: { id: number; name: string; d: number } | null = null;
  for (const v of ctx.resource(Npcs).list()) {
    if (v.kind !== 'villager') continue;
    const d = Math.hypot(v.x - p.x, v.z - p.z);
    if (d <= TALK_RANGE && (!best || d < best.d)) best = { id: v.id, name: v.name, d };
  }
  return best;
}

function talkToNearest(ctx: SystemContext): void {
  const best = villagerInReach(ctx);
  if (!best) {
    ctx.resource(Game).toast('Nobody to talk to here', 'info', 1000);
    return;
  }
  ctx.resource(Dialogue).wait(best.name);
  ctx.resource(Ltask).request(DirectorTalkReply, 'director', 'talk', [best.id]);
}
