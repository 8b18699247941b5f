"""examengine: a proctored online exam delivery engine."""
