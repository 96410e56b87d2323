"""Built-in scenes: every module-level ``Scene`` in the ``*.py`` files of this folder.

They install with the package (as ``trajectories.scenes``) and are read by file, not imported:
see :func:`trajectories.scene.builtin_scenes`.
"""
