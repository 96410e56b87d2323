"""The public name of :mod:`trajectories.integrations.pytest_plugin` (kept for ``conf.py`` files and ``-p`` options)."""

from .integrations.pytest_plugin import *  # noqa: F403
