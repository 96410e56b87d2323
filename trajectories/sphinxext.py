"""The public name of :mod:`trajectories.integrations.sphinx` (kept for ``conf.py`` files and ``-p`` options)."""

from .integrations.sphinx import *  # noqa: F403
