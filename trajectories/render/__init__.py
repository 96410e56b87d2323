"""Rendering: the only place matplotlib is used (Agg canvases, no pyplot).

:mod:`.views` is the registry of views by name and the :class:`~.views.View` interface; :mod:`.canvas`
sets up every view's figure; :mod:`.contour` (2-D), :mod:`.surface3d` (3-D), :mod:`.averages` and
:mod:`.diagram` are the views; :mod:`.levels`, :mod:`.legend`, :mod:`.sprites`, :mod:`.theme` and
:mod:`.palette` are what they draw with; :mod:`.text` checks a user's titles and labels as they will be
drawn. Frames become files in :mod:`trajectories.pipeline.stages`.
"""
