"""Stage two: optimizers run, paths computed, horizons, basins, start sets, tuning, run's outputs."""
