"""Cost surfaces: the Surface value and the analytic ones, the catalogue, formulas, losses over data."""
