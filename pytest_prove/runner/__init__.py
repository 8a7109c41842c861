"""Gate evaluation free of pytest: the pass cache, conditions, deadlines and waivers."""
