// People of the tavern.
VAR innkeeper = "Mara"

=== function greet(who) ===
~ return "Well met, " + who + "."
