"""CI runs what README tells a newcomer to run, first and alone, and cannot hide a missing install step
(.ci/run, tests/requirements.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from . import requirements

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_test_command() -> str:
    """The command under README's "install with the test tools, then run the tests" comment."""
    block = re.search(r"# install with the test tools, then run the tests\n(.+)\n", README)
    assert block, "README's set-up block names the test command"
    return block.group(1).strip()


def commands(script: str) -> list[str]:
    """The script's command lines (comments, echo lines and blank lines left out)."""
    lines = [line.strip() for line in script.splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "echo "))]


def test_ci_runs_readmes_test_command_verbatim_in_a_fresh_venv_before_installing_anything_else():
    command = readme_test_command()
    assert command == 'python -m pip install ".[test]" && python -m pytest'
    lines = commands(CI)
    assert command in lines
    before = lines[: lines.index(command)]
    assert any(line.startswith("python3 -m venv") for line in before)
    assert not [line for line in before if "pip install" in line or "apt-get" in line], "stage 1 is bare"
    after = lines[lines.index(command) + 1 :]
    assert any("TRAJECTORIES_TEST_EXTRAS=required" in line and "TRAJECTORIES_RUN_SKIPPED" in line for line in after)
    assert any("pip install torch==2.13.0" in line for line in after), "torch's CPU wheel, pinned, before the extra"


def test_tests_skip_for_a_missing_requirement_only_through_the_helpers():
    """pytest's importorskip would skip unrecorded (a whole module, at collection): stage 2 would never run it."""
    forbidden = "importorskip" + "("
    for path in sorted((ROOT / "tests").glob("*.py")):
        assert forbidden not in path.read_text(encoding="utf-8"), f"{path.name}: use tests/requirements.py"


def test_stage_one_records_what_skipped_and_stage_two_runs_it_and_lets_none_skip(tmp_path):
    """The decoder test of one scene in Chromium, on a PATH without Chromium: stage 1 skips and records it
    (and nothing that ran), stage 2 runs exactly it and fails there; a recorded test without the marker is
    fails, and so does a recorded test that is not there."""
    selected = ["tests/test_decoders.py::test_every_builtin_scene_decodes_to_our_frames[chromium-gif-saddle]",
                "tests/test_decoders.py::test_every_builtin_scene_decodes_to_our_frames[pillow-gif-saddle]"]
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    (bare_path / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bare_path)}
    record = tmp_path / "skipped"

    def pytest_run(*args, **extra):
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *args],
                              cwd=ROOT, env={**env, **extra}, capture_output=True, text=True)

    first = pytest_run(*selected, **{requirements.RECORD: str(record)})
    assert first.returncode == 0, first.stdout[-2000:]
    assert "1 passed, 1 skipped" in first.stdout and "needs chromium: apt-get install chromium" in first.stdout
    assert record.read_text().splitlines() == selected[:1]
    stage_two = {requirements.RUN_ONLY: str(record), requirements.STAGE: "required"}
    second = pytest_run("tests/test_decoders.py", **stage_two)
    assert second.returncode == 1 and "1 failed, " in second.stdout and "deselected" in second.stdout
    record.write_text("tests/test_ci.py::test_tests_skip_for_a_missing_requirement_only_through_the_helpers\n")
    third = pytest_run("tests/test_ci.py", **{requirements.RUN_ONLY: str(record)})
    assert third.returncode == 1 and "yet without the extras marker" in third.stdout
    record.write_text("tests/test_ci.py::test_a_test_that_is_not_there\n")
    fourth = pytest_run("tests/test_ci.py", **{requirements.RUN_ONLY: str(record)})
    assert fourth.returncode == 1 and "stage 2 ran none of 1 tests stage 1 skipped" in fourth.stdout
