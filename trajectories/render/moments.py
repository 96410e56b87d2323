"""The moments an animation's story is about, and how long each stays on screen.

A moment is a frame: where a racer leaves the window (its exit mark and label appear), or a step the
scene names in its ``pauses``. A view lists its moments (``view.moments()``); the pipeline holds the frame
of each moment the scene pauses at for ``pause`` seconds (:func:`held_frames`), and the frame checker
(:mod:`trajectories.pipeline.frame_check`) asks that every moment stays on screen at least a second.

>>> from trajectories.scene import Scene
>>> scene = Scene("s", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=10, frames=4, pauses=(4,))
>>> timeline = scene.timeline()
>>> timeline.values
[0, 4, 7, 10]
>>> declared_moments(scene, timeline)
[Moment(frame=1, what='step 4', kind='pause', hold=1.0)]
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any, NamedTuple

from ..options import EXITS

if TYPE_CHECKING:
    from ..compute.timeline import Timeline
    from ..scene_protocol import Race

class Moment(NamedTuple):
    """Frame ``frame`` shows a moment of the story (``what``); ``kind`` is ``"exit"`` or ``"pause"``;
    ``hold``: the seconds the scene stops there (0: it does not pause)."""

    frame: int
    what: str
    kind: str
    hold: float


def first_frame(timeline: Any, racer: int, step: int) -> int | None:
    """The first frame in which racer ``racer`` is at ``step`` or later (``None``: never)."""
    return next((index for index, steps in enumerate(timeline.steps) if steps[racer] >= step), None)


def declared_moments(scene: Race, timeline: Timeline) -> list[Moment]:
    """The steps of ``scene.timing.pauses`` (samples with a clock in samples), each at the first frame that
    shows it, held ``scene.timing.pause`` seconds."""
    found = []
    values = list(timeline.values)  # in order: the first frame showing a step is found by bisection
    for step in scene.timing.pauses or ():
        if isinstance(step, int):
            index = bisect.bisect_left(values, step)
            if index < len(values):
                found.append(Moment(index, f"{timeline.label} {step}", "pause", scene.timing.pause))
    return found


def exit_moment(scene: Race, timeline: Timeline, racer: int, step: int, who: str) -> Moment | None:
    """The moment racer ``racer`` (called ``who``) leaves at ``step``, held if ``scene`` pauses at exits."""
    index = first_frame(timeline, racer, step)
    if index is None:
        return None
    timing = scene.timing
    held = timing.pause if EXITS in (timing.pauses or ()) else 0.0
    return Moment(index, f"{who} leaves at step {step}", "exit", held)


def held_frames(moments: list[Moment]) -> dict[int, float]:
    """Seconds to add to each frame that a held moment falls on (the longest hold where several do)."""
    found: dict[int, float] = {}
    for moment in moments:
        if moment.hold > 0:
            found[moment.frame] = max(found.get(moment.frame, 0.0), moment.hold)
    return found
