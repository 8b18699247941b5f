"""Human marking: the queue of answers waiting for a marker, what a marker sees (anonymously), the marks they give,
the double-marking rule that turns marks into a slot's score or its next stage, and writing that score.

Above scoring (it writes slot scores through scoring's totals); below the doors and the certificates."""
