"""Rendering: scene -> frames (matplotlib, Agg, no pyplot) -> files (see :mod:`trajectories.encode`)."""
