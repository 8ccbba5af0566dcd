// The ink story the ink native compiles (dialogue/): a tavern scene in three
// files (main.ink INCLUDEs the other two), and one knot per NPC of the five
// worlds in characters.ink, named by levels.db's npcs.knot. The NPCs' lines
// are written from the built worlds, so they point at real coins and gates.
import { prng } from '../../scripts/prng.mjs';
import { NUMBER, compass } from './worlds/defs.mjs';

/** A villager's knot body: a greeting, a hint about the coins, two questions. */
function villagerLines(w, n, pick, where, exitDir) {
  const coins = NUMBER[w.def.coins][0].toUpperCase() + NUMBER[w.def.coins].slice(1);
  return [
    pick([`${n.name} looks up from the path and smiles.`, `${n.name} waves you over.`, `${n.name} leans on a fence post.`, `${n.name} tips a hat to you.`]),
    pick([
      `"${coins} coins are hidden about ${w.def.name}. Gather them all before you leave."`,
      `"You are after the coins too? There are ${NUMBER[w.def.coins]} of them, all over ${w.def.name}."`,
      `"Lost something? Folk say ${NUMBER[w.def.coins]} coins lie scattered about ${w.def.name}."`,
    ]),
    `* [Seen any coins?]`,
    `    "One glints ${where}."`,
    `* [Where is the way out?]`,
    `    "The gate is to the ${exitDir}. Follow the path and you will not get lost."`,
    `- "${pick(['Good luck, friend.', 'Mind the guards on the road.', 'Come back and tell me how it went.'])}"`,
    `-> END`,
  ];
}

/** A guard's knot body: the warning (the chase rules in words). */
function guardLines(w, n) {
  const short = n.name.split(' ').at(-1);
  return [
    `"Halt!" ${n.name} raises a hand. "This road belongs to ${w.def.watch}."`,
    `"Come within five paces of me and I will chase you down."`,
    `* [I am only passing through.]`,
    `    "Then pass quickly, and keep your distance."`,
    `* [And if I outrun you?]`,
    `    "Get nine paces clear and I will let you go. Nobody outruns ${short} twice."`,
    `- -> END`,
  ];
}

/** A critter's knot body: a squeak and two choices. */
function critterLines(n, pick) {
  const sound = pick(['Squeak!', 'Squeak squeak!', 'Eep!']);
  const who = / the /.test(n.name) ? n.name : `The ${n.name.toLowerCase()}`;
  return [
    `${who} freezes and stares at you. "${sound}"`,
    `* [Offer a crumb]`,
    `    It nibbles the crumb, squeaks happily and darts off.`,
    `* [Leave it be]`,
    `    It twitches once and bolts into the grass.`,
    `- -> END`,
  ];
}

/** The ink knot of each NPC of world `w` (villager hints, guard warnings, critter squeaks). */
function npcKnots(w) {
  const rnd = prng(w.def.seed + 7);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const out = [`// ---- World ${w.def.id}: ${w.def.name}`];
  for (const n of w.npcs) {
    const nx = n.x - 0.5, nz = n.z - 0.5;
    const near = [...w.coins].sort((a, b) => Math.hypot(a[0] - nx, a[1] - nz) - Math.hypot(b[0] - nx, b[1] - nz))[0];
    const d = Math.hypot(near[0] - nx, near[1] - nz);
    const where = d < 4 ? `just a few paces to the ${compass(near[0] - nx, near[1] - nz)}` : `to the ${compass(near[0] - nx, near[1] - nz)}, about ${Math.round(d / 5) * 5} paces from here`;
    const exitDir = compass(w.exit[0] - nx, w.exit[1] - nz);
    out.push('', `=== ${n.knot} ===`);
    if (n.kind === 'villager') out.push(...villagerLines(w, n, pick, where, exitDir));
    else if (n.kind === 'guard') out.push(...guardLines(w, n));
    else out.push(...critterLines(n, pick));
  }
  return out.join('\n') + '\n';
}

/** dialogue/main.ink, characters.ink (with the worlds' NPC knots) and chapters/tavern.ink: `[path, data][]`. */
export function dialogue(worlds) {
  const main = `// The tavern scene: main file; characters and the tavern chapter are INCLUDEd.
INCLUDE characters.ink
INCLUDE chapters/tavern.ink

VAR gold = 3

-> intro

=== intro ===
The rain has not stopped for three days.
{innkeeper} waves you in from the doorway.
-> tavern
`;
  // The NPCs' knots live here (no new INCLUDE): the story still reads three files.
  const characters = `// People of the tavern, and of the five worlds: one knot per NPC (the knot column of levels.db's npcs table).
VAR innkeeper = "Mara"

=== function greet(who) ===
~ return "Well met, " + who + "."

` + worlds.map(npcKnots).join('\n');
  const tavern = `// Chapter: the tavern.
=== tavern ===
"{greet("traveller")}" says {innkeeper}.
You have {gold} gold coins.
* [Buy a drink] -> drink
* [Ask about the road] -> road

=== drink ===
~ gold = gold - 1
You drink by the fire. {gold} coins left.
-> END

=== road ===
"The north road is flooded," {innkeeper} says.
-> END
`;
  return [['dialogue/main.ink', main], ['dialogue/characters.ink', characters], ['dialogue/chapters/tavern.ink', tavern]];
}
