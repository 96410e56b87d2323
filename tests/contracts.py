"""What every view and every format must do, as checks any test can run on a registered one: the
built-in ones (tests/test_contracts.py) and the toy ones that follow CONTRIBUTING.md (tests/test_extending.py)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trajectories import writers
from trajectories.compute.paths import compute_paths
from trajectories.errors import RenderError
from trajectories.pipeline.stages import render_scene

from .drawing import make_view


def check_view_contract(scene: Any) -> None:
    """``scene``'s view keeps the :class:`~trajectories.render.registry.View` promises: one ``steps_shown``
    entry per frame, frames of the scene's size as opaque RGBA bytes, the same pixels whenever a frame is
    asked for (in any order, text or not), reserved colours as RGB triples, and ``close``."""
    width, height = scene.look.size
    view = make_view(scene, compute_paths(scene))
    try:
        count = len(view.steps_shown)
        assert count == scene.frame_count
        last = view.frame(count - 1)
        first = view.frame(0)
        assert last.shape == first.shape == (height, width, 4)
        assert last.dtype == first.dtype == np.uint8
        assert (last[..., 3] == 255).all(), "frames are opaque"
        assert np.array_equal(view.frame(count - 1), last), "a frame asked for again is the same pixels"
        assert np.array_equal(view.frame(0), first)
        colors = view.reserved_colors()
        assert all(len(c) == 3 and all(isinstance(v, int) and 0 <= v <= 255 for v in c) for c in colors)
    finally:
        view.close()


def check_format_contract(name: str, scene: Any, folder: Path) -> Path:
    """Format ``name`` writes ``scene`` to a file with its extension (also chosen from that suffix), the
    same bytes twice, and a writer that fails leaves nothing behind and an earlier file untouched.
    Returns the file written."""
    fmt = writers.get_format(name)
    first, second = folder / f"one{fmt.extension}", folder / f"two{fmt.extension}"
    result = render_scene(scene, first, format=name, quiet=True)
    assert result.format == name and first.stat().st_size > 0
    render_scene(scene, second, format=name, quiet=True)
    assert first.read_bytes() == second.read_bytes(), "the same scene gives the same bytes"
    if fmt.suffixes:
        assert writers.infer_format(folder / f"x{fmt.suffixes[0]}", None).name == name
    before = first.read_bytes()
    broken = dataclasses.replace(fmt, open=lambda target: _Failing(fmt.open(target)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(writers.FORMATS, name, broken)
        with pytest.raises(RuntimeError, match="disk full"):
            render_scene(scene, first, format=name, quiet=True)
    assert first.read_bytes() == before, "a failed write never clobbers the file"
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name]), "no temporary left"
    return first


class _Failing(writers.FrameWriter):
    """A writer that fails at its second frame, as a full disk would."""

    def __init__(self, inner: writers.FrameWriter) -> None:
        self.inner, self.added = inner, 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        self.added += 1
        if self.added == 2:
            raise RuntimeError("disk full")
        self.inner.add(frame, delay)

    def finish(self) -> None:
        raise RuntimeError("disk full")

    def abort(self) -> None:
        self.inner.abort()


@contextlib.contextmanager
def fake_format(open_writer: Callable[[writers.WriteTarget], writers.FrameWriter], extension: str = ".gif",
                name: str = "fake", paletted: bool = True) -> Iterator[str]:
    """A format called ``name`` whose writer is ``open_writer(target)``, registered for the block (a test's
    own writer, in the registry as any format's: no hook in the pipeline). Render with ``format=name``."""
    writers.register_format(writers.Format(name, extension, open_writer, paletted=paletted))
    try:
        yield name
    finally:
        writers.unregister_format(name)


def format_available(name: str) -> bool:
    """Whether format ``name``'s optional dependencies are installed."""
    try:
        writers.get_format(name)
    except RenderError:
        return False
    return True
