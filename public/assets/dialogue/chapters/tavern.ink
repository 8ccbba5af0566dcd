// Chapter: the tavern.
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
