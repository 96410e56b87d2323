"""trajectories: animations of optimizer trajectories on 2-D cost surfaces.

The numeric core (this package, minus ``render``) is plain numpy and never imports matplotlib.
"""

__version__ = "0.1.0"
