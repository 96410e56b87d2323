"""The pytest plugin (entry point ``pytest11``: installed with the package, active in every test run).

It adds the ``frame_check`` fixture, which fails a test with one line per finding of the frame checker
(:mod:`trajectories.pipeline.frame_check`)::

    def test_race_is_clean(frame_check):
        frame_check(race)  # every frame of the scene, as its view draws it

and ``--update-snapshots`` and the ``animation_snapshot`` fixture::

    def test_race(animation_snapshot, tmp_path):
        result = race.with_options(frames=5, size=(240, 180), dpi=40).render(tmp_path / "race.gif")
        animation_snapshot(result)  # against snapshots/<module>/test_race.gif beside the test file

- The baseline is ``snapshots/<test module>/<test name><suffix>`` next to the test file (``name=`` to
  choose another). It is written only with ``pytest --update-snapshots``; a missing baseline fails.
- On a mismatch the test fails with one line (the first differing frame and its RMS) and keeps the
  actual file and a diff image (expected | actual | difference ×10) in ``snapshot-failures/<test>/``
  under pytest's root folder. Given the :class:`~trajectories.pipeline.stages.RenderResult` rather than a path,
  the line also says when the scene draws a chaotic path whose frames depend on the CPU, and the remedy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .snapshot import DEFAULT_TOLERANCE, compare_files, write_diff

if TYPE_CHECKING:
    from ..pipeline.stages import RenderResult


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trajectories")
    group.addoption(
        "--update-snapshots", action="store_true", default=False,
        help="write animation snapshot baselines instead of comparing against them",
    )


class SnapshotChecker:
    """``animation_snapshot(path, name=None, tolerance=3.0)``: compare ``path`` with its baseline."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.update = request.config.getoption("--update-snapshots")
        test_file = Path(str(request.node.fspath))
        self.folder = test_file.parent / "snapshots" / test_file.stem
        self.failures = Path(str(request.config.rootpath)) / "snapshot-failures"

    def __call__(
        self, actual: str | Path | RenderResult, name: str | None = None, tolerance: float = DEFAULT_TOLERANCE
    ) -> None:
        warnings = getattr(actual, "warnings", ())
        actual = Path(getattr(actual, "path", actual))
        test_name = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.request.node.name)
        name = name or f"{test_name}{actual.suffix}"
        baseline = self.folder / name
        if self.update:
            baseline.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(actual, baseline)
            return
        if not baseline.is_file():
            pytest.fail(f"no snapshot baseline {baseline}: run pytest --update-snapshots to write it", False)
        result = compare_files(baseline, actual, tolerance)
        if result.matches:
            return
        folder = self.failures / test_name
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"actual{actual.suffix}"
        shutil.copyfile(actual, kept)
        diff = write_diff(baseline, actual, folder / "diff.png", result.first_bad)
        cause = f"; likely cause: {warnings[0]}" if warnings else ""
        pytest.fail(f"{name}: {result.message}; actual: {kept}, diff: {diff}{cause}", False)


@pytest.fixture
def animation_snapshot(request: pytest.FixtureRequest) -> SnapshotChecker:
    """Compare a rendered animation with its stored baseline (``--update-snapshots`` writes it)."""
    return SnapshotChecker(request)


@pytest.fixture
def frame_check():
    """``frame_check(scene, frames=None)``: fail the test with the frame checker's findings in ``scene``
    (every frame, or ``frames``), one line each; pass when every frame is clean."""

    def check(scene: object, frames: object = None) -> None:
        from ..pipeline.frame_check import check_scene

        found = check_scene(scene, frames)
        if found:
            pytest.fail("\n".join(finding.line() for finding in found), False)

    return check
