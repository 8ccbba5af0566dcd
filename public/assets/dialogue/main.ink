// The tavern scene: main file; characters and the tavern chapter are INCLUDEd.
INCLUDE characters.ink
INCLUDE chapters/tavern.ink

VAR gold = 3

-> intro

=== intro ===
The rain has not stopped for three days.
{innkeeper} waves you in from the doorway.
-> tavern
