// People of the tavern, and of the five worlds: one knot per NPC (the knot column of levels.db's npcs table).
VAR innkeeper = "Mara"

=== function greet(who) ===
~ return "Well met, " + who + "."

// ---- World 1: Meadow Crossing

=== w1_old_tom ===
Old Tom tips a hat to you.
"Ten coins are hidden about Meadow Crossing. Gather them all before you leave."
* [Seen any coins?]
    "One glints to the north-west, about 10 paces from here."
* [Where is the way out?]
    "The gate is to the north-east. Follow the path and you will not get lost."
- "Come back and tell me how it went."
-> END

=== w1_hazel ===
Hazel tips a hat to you.
"Ten coins are hidden about Meadow Crossing. Gather them all before you leave."
* [Seen any coins?]
    "One glints just a few paces to the east."
* [Where is the way out?]
    "The gate is to the north-east. Follow the path and you will not get lost."
- "Good luck, friend."
-> END

=== w1_sergeant_brask ===
"Halt!" Sergeant Brask raises a hand. "This road belongs to the Meadow Watch."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Brask twice."
- -> END

=== w1_pip_the_hare ===
Pip the hare freezes and stares at you. "Squeak squeak!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

// ---- World 2: Misty Harbor

=== w2_captain_wren ===
Captain Wren tips a hat to you.
"Lost something? Folk say fourteen coins lie scattered about Misty Harbor."
* [Seen any coins?]
    "One glints just a few paces to the south."
* [Where is the way out?]
    "The gate is to the south-east. Follow the path and you will not get lost."
- "Mind the guards on the road."
-> END

=== w2_nell_the_netmaker ===
Nell the netmaker tips a hat to you.
"Fourteen coins are hidden about Misty Harbor. Gather them all before you leave."
* [Seen any coins?]
    "One glints to the north-east, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the south. Follow the path and you will not get lost."
- "Come back and tell me how it went."
-> END

=== w2_harbormaster_quill ===
"Halt!" Harbormaster Quill raises a hand. "This road belongs to the Harbor Watch."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Quill twice."
- -> END

=== w2_dockwarden_ross ===
"Halt!" Dockwarden Ross raises a hand. "This road belongs to the Harbor Watch."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Ross twice."
- -> END

=== w2_gull ===
The gull freezes and stares at you. "Eep!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

// ---- World 3: Bramble Hollow

=== w3_granny_bramble ===
Granny Bramble waves you over.
"You are after the coins too? There are sixteen of them, all over Bramble Hollow."
* [Seen any coins?]
    "One glints to the north, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the north-west. Follow the path and you will not get lost."
- "Good luck, friend."
-> END

=== w3_finch ===
Finch leans on a fence post.
"Lost something? Folk say sixteen coins lie scattered about Bramble Hollow."
* [Seen any coins?]
    "One glints to the west, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the north-west. Follow the path and you will not get lost."
- "Mind the guards on the road."
-> END

=== w3_warden_holt ===
"Halt!" Warden Holt raises a hand. "This road belongs to the Hollow wardens."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Holt twice."
- -> END

=== w3_warden_ivy ===
"Halt!" Warden Ivy raises a hand. "This road belongs to the Hollow wardens."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Ivy twice."
- -> END

=== w3_hedgehog ===
The hedgehog freezes and stares at you. "Eep!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

=== w3_toad ===
The toad freezes and stares at you. "Eep!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

// ---- World 4: Granite Pass

=== w4_miner_gus ===
Miner Gus waves you over.
"Fifteen coins are hidden about Granite Pass. Gather them all before you leave."
* [Seen any coins?]
    "One glints to the north, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the north-east. Follow the path and you will not get lost."
- "Come back and tell me how it went."
-> END

=== w4_tilda ===
Tilda tips a hat to you.
"Lost something? Folk say fifteen coins lie scattered about Granite Pass."
* [Seen any coins?]
    "One glints to the north, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the north-east. Follow the path and you will not get lost."
- "Come back and tell me how it went."
-> END

=== w4_captain_stone ===
"Halt!" Captain Stone raises a hand. "This road belongs to the Pass Guard."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Stone twice."
- -> END

=== w4_scout_vale ===
"Halt!" Scout Vale raises a hand. "This road belongs to the Pass Guard."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Vale twice."
- -> END

=== w4_sentry_orr ===
"Halt!" Sentry Orr raises a hand. "This road belongs to the Pass Guard."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Orr twice."
- -> END

=== w4_mountain_goat ===
The mountain goat freezes and stares at you. "Squeak!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

=== w4_marmot ===
The marmot freezes and stares at you. "Squeak squeak!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

// ---- World 5: Lantern Fen

=== w5_lamplighter_bea ===
Lamplighter Bea tips a hat to you.
"You are after the coins too? There are fifteen of them, all over Lantern Fen."
* [Seen any coins?]
    "One glints to the south-east, about 15 paces from here."
* [Where is the way out?]
    "The gate is to the south-east. Follow the path and you will not get lost."
- "Good luck, friend."
-> END

=== w5_old_moss ===
Old Moss looks up from the path and smiles.
"Fifteen coins are hidden about Lantern Fen. Gather them all before you leave."
* [Seen any coins?]
    "One glints to the west, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the east. Follow the path and you will not get lost."
- "Good luck, friend."
-> END

=== w5_wick ===
Wick looks up from the path and smiles.
"You are after the coins too? There are fifteen of them, all over Lantern Fen."
* [Seen any coins?]
    "One glints to the south, about 5 paces from here."
* [Where is the way out?]
    "The gate is to the south-east. Follow the path and you will not get lost."
- "Come back and tell me how it went."
-> END

=== w5_bog_warden_crane ===
"Halt!" Bog Warden Crane raises a hand. "This road belongs to the Fen Watch."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Crane twice."
- -> END

=== w5_night_watch_hale ===
"Halt!" Night Watch Hale raises a hand. "This road belongs to the Fen Watch."
"Come within five paces of me and I will chase you down."
* [I am only passing through.]
    "Then pass quickly, and keep your distance."
* [And if I outrun you?]
    "Get nine paces clear and I will let you go. Nobody outruns Hale twice."
- -> END

=== w5_frog ===
The frog freezes and stares at you. "Eep!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

=== w5_heron ===
The heron freezes and stares at you. "Squeak!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END

=== w5_newt ===
The newt freezes and stares at you. "Eep!"
* [Offer a crumb]
    It nibbles the crumb, squeaks happily and darts off.
* [Leave it be]
    It twitches once and bolts into the grass.
- -> END
