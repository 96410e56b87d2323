"""The guard (trajectories/trust/guard.py): while it is active, each forbidden side effect is refused in one line
and does not happen (checked on the file system, or by a marker the action would leave); outputs,
temporaries and caches stay writable; and real renders pass under it: every built-in race scene in TOML
form, every view, and, in a fresh process where every library is imported under the guard, TOML scenes
with torch and optax racers in every format."""

import ctypes.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import webbrowser
from pathlib import Path

import pytest

from trajectories.errors import TrustError
from trajectories.trust.guard import ForbiddenImport, guarded

from .adapter_support import require
from .toml_documents import to_toml


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A folder with a victim file, a victim folder and an importable module that leaves a marker; the
    libraries' temporary folder is a folder inside it (where the guard lets new files be made)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "victim.txt").write_text("kept")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "kept.txt").write_text("kept")
    (tmp_path / "stranger_module.py").write_text("open('imported.txt', 'w').write('ran')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # a "browser" that would leave a marker: webbrowser's own GenericBrowser, which audits before it starts
    monkeypatch.setattr(webbrowser, "_browsers", {"stranger": [None, webbrowser.GenericBrowser(["touch", "ran.txt"])]})
    yield tmp_path
    sys.modules.pop("stranger_module", None)


def _library_copy(folder: Path) -> Path:
    found = ctypes.util.find_library("m") or "libm.so.6"
    for base in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"):
        if (Path(base) / found).exists():
            copy = folder / "libstranger.so"
            shutil.copy(Path(base) / found, copy)
            return copy
    pytest.skip("no libm to copy")


ACTIONS = {
    "a command": lambda p: os.system("touch ran.txt"),
    "a process": lambda p: subprocess.run(["touch", "ran.txt"], check=False),
    "a deletion": lambda p: os.remove("victim.txt"),
    "a tree removed": lambda p: shutil.rmtree("folder"),
    "a write": lambda p: open("victim.txt", "w").close(),  # the truncation is the point
    "a write outside": lambda p: (p.parent / f"{p.name}-outside.txt").write_text("x"),
    "an os.open for writing": lambda p: os.close(os.open("new.txt", os.O_WRONLY | os.O_CREAT)),
    "a rename": lambda p: os.rename("victim.txt", "moved.txt"),
    "a folder made": lambda p: os.mkdir("made"),
    "a truncation": lambda p: os.truncate("victim.txt", 0),
    "an import": lambda p: __import__("stranger_module"),
    "a connection": lambda p: socket.create_connection(("127.0.0.1", 9), timeout=0.1),
    "a name lookup": lambda p: socket.getaddrinfo("example.com", 80),
    "a browser": lambda p: webbrowser.get("stranger").open("http://127.0.0.1:9/"),
    "a library": lambda p: ctypes.CDLL(str(_library_copy(p))),
}


def _state(folder: Path) -> dict:
    return {str(path.relative_to(folder.parent)): path.read_bytes() if path.is_file() else None
            for path in folder.parent.glob(f"{folder.name}*/**/*") if "__pycache__" not in path.parts} | {
        str(path.relative_to(folder.parent)): None for path in folder.parent.glob(f"{folder.name}*")}


@pytest.mark.parametrize("action", ACTIONS, ids=list(ACTIONS))
def test_each_forbidden_effect_is_refused_and_does_not_happen(place, action):
    if action == "a library":
        library = _library_copy(place)  # made before the guard: the guard refuses loading it, not copying it
        ACTIONS[action] = lambda p: ctypes.CDLL(str(library))
    before = _state(place)
    with guarded("stranger.toml"), pytest.raises(TrustError) as refused:
        ACTIONS[action](place)
    message = str(refused.value)
    assert message.startswith("stranger.toml: refused ") and "\n" not in message
    assert _state(place) == before  # nothing made, written, moved or deleted, no marker left
    assert "stranger_module" not in sys.modules


def test_a_spawned_process_is_refused_in_the_child(place):
    """``os.spawn*`` forks, then executes in the child: the guard, inherited, refuses the exec there."""
    with guarded("stranger.toml"):
        status = os.spawnlp(os.P_WAIT, "touch", "touch", "ran.txt")
    assert status == 127 and not (place / "ran.txt").exists()


def test_without_a_guard_the_same_actions_happen(place):
    """The test above would see the effects: here they happen (outside any guard)."""
    os.system("touch ran.txt")
    __import__("stranger_module")
    os.remove("victim.txt")
    assert (place / "ran.txt").exists() and (place / "imported.txt").exists() and not (place / "victim.txt").exists()


def test_check_reads_a_toml_scene_under_the_guard(place, monkeypatch):
    """``trajectories check s.toml`` runs the frame checker on data under the guard, as render does: an effect
    during the check (here a stand-in for a door not yet found) is refused in one line and does not happen."""
    from click.testing import CliRunner

    import trajectories.pipeline.frame_check
    from trajectories.cli.main import cli

    (place / "s.toml").write_text('surface = "sphere"\nsteps = 2\n[[optimizers]]\nname = "adam"\n')
    monkeypatch.setattr(trajectories.pipeline.frame_check, "check_scene", lambda scene: os.remove("victim.txt"))
    result = CliRunner().invoke(cli, ["check", "s.toml"])
    assert result.exit_code == 2 and result.stderr.startswith("trajectories: error: s.toml: refused "), result.output
    assert (place / "victim.txt").read_text() == "kept"


def test_modules_that_act_when_imported_are_refused(capsys):
    had = "this" in sys.modules
    with guarded("s.toml"):
        if not had:
            with pytest.raises(ForbiddenImport, match="refused importing this"):
                import this  # noqa: F401
        with pytest.raises(ModuleNotFoundError):  # a module that is nowhere fails as it always does
            import no_such_module_anywhere  # noqa: F401
    assert capsys.readouterr().out == ""  # the Zen of Python was not printed


def test_outputs_their_temporaries_folders_and_caches_stay_writable(tmp_path):
    from trajectories.support.atomic import atomic_path

    target = tmp_path / "new" / "deeper" / "out.gif"
    cache = tmp_path / "cache"
    with guarded("s.toml", outputs=[target], places=[cache]):
        target.parent.mkdir(parents=True)
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"GIF89a")
        cache.mkdir()
        (cache / "rates.json").write_text("{}")
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "x").write_text("x")
        target.unlink()
        target.parent.rmdir()
    assert not target.exists() and (cache / "rates.json").exists()


def toml_form(scene) -> str | None:
    """A built-in race scene as a TOML scene file, or ``None`` when TOML cannot say it (a surface that is
    neither in the catalogue nor a formula)."""
    from trajectories.options import OPTIONS_LIST
    from trajectories.scene.values import part_for
    from trajectories.surfaces.catalogue import surface_names

    if scene.surface.name not in surface_names():
        return None
    document = {"name": scene.name, "surface": scene.surface.name, "view": {}}
    for option in OPTIONS_LIST:
        if option.toml is None or option.kind == "surface" or option.name in ("output", "output_format"):
            continue
        part = part_for(option.name, "race")
        value = getattr(scene if part is None else getattr(scene, part), option.name, None)
        if value is None or value == option.default or (option.name == "start_sets" and not value):
            continue
        if option.kind == "starts":
            value = [start_set.text() for start_set in value]
        value = [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value
        (document if option.toml == "" else document["view"])[option.key] = value
    document["optimizers"] = [
        {"name": racer.spec.name, "label": racer.label, **({"color": racer.color} if racer.color else {}),
         **({"batch_size": racer.batch_size} if racer.batch_size else {}),
         "hyperparameters": {k: list(v) if isinstance(v, tuple) else v for k, v in racer.spec.changed().items()},
         **({"schedule": racer.spec.schedule.to_text()} if racer.spec.schedule is not None else {})}
        for racer in scene.optimizers]
    return to_toml(document)


def _comparable(scene):
    """``scene`` without its source and with its racers as what they race (a spec's own label, the text
    it was parsed from, is not part of a TOML scene)."""
    import dataclasses

    racers = tuple((r.spec.name, dict(r.spec.params), r.spec.schedule, r.label, r.color, r.batch_size)
                   for r in scene.optimizers)
    fields = {f.name: getattr(scene, f.name) for f in dataclasses.fields(scene) if f.name not in ("source",
                                                                                                "optimizers")}
    return repr(fields), racers


RENDERED = {"rosenbrock": "gif", "fig7_saddle_race": "png", "himmelblau_basins": "gif", "rastrigin_swarm": "webp"}
"""One built-in race scene per view (contours, 3-D, basins, swarm), rendered (shortened) from its TOML form."""


def test_every_built_in_race_scene_in_toml_form_loads_equal_and_each_view_renders_under_the_guard(tmp_path):
    from trajectories.pipeline.stages import render_scene
    from trajectories.scene import Scene, builtin_scenes, load_toml_scene

    loaded_scenes = {}
    for name, scene in builtin_scenes().items():
        text = toml_form(scene) if type(scene) is Scene else None
        if text is None:
            continue
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        (loaded,) = load_toml_scene(path).values()  # loaded under the guard
        assert _comparable(loaded) == _comparable(scene), name
        loaded_scenes[name] = loaded
    assert len(loaded_scenes) >= 25 and set(RENDERED) <= set(loaded_scenes)
    for name, fmt in RENDERED.items():
        small = loaded_scenes[name].with_options(size=(96, 72), dpi=30, steps=12)
        result = render_scene(small, tmp_path / f"{name}.{fmt}", format=fmt, jobs=2)  # TOML: under the guard
        assert result.frames >= 1 and result.path.stat().st_size > 0


FRESH = textwrap.dedent('''
    import json, sys
    from trajectories.trust import guard
    seen = {"imports": 0, "forks": 0}
    def count(event, args):
        if guard.active() is not None:
            seen["imports"] += event == "import"
            seen["forks"] += event == "os.fork"
    sys.addaudithook(count)
    from trajectories.cli.main import cli
    from click.testing import CliRunner
    codes = {}
    result = CliRunner().invoke(cli, ["render", "three_d.toml", "-o", "three_d.gif", "-q", "-j", "2"])
    codes["3-D, two processes"] = (result.exit_code, result.stderr)  # before JAX, which warns of forks
    for fmt in ["gif", "png", "apng", "webp", "mp4", "html"]:
        result = CliRunner().invoke(cli, ["render", "race.toml", "-o", f"race.{fmt}", "-q", "-j", "1"])
        codes[fmt] = (result.exit_code, result.stderr)
    print(json.dumps({"codes": codes, **seen}))
''')
RACE = textwrap.dedent('''
    surface = "himmelblau"
    steps = 12
    start = [[0.5, 0.5], [-1, 1]]
    [[optimizers]]
    name = "adam"
    hyperparameters = { lr = 0.1 }
    [[optimizers]]
    name = "torch:torch.optim.LBFGS"
    hyperparameters = { lr = 0.5, max_iter = 2 }
    [[optimizers]]
    name = "torch:pytorch_optimizer.AdaBelief"
    hyperparameters = { lr = 0.1 }
    [[optimizers]]
    name = "optax:optax.adam"
    hyperparameters = { learning_rate = 0.1 }
    [view]
    size = [128, 96]
    loss_panel = true
''')
THREE_D = 'surface = "himmelblau"\nsteps = 8\n[[optimizers]]\nname = "adam"\n[view]\nview = "surface"\n' \
          'size = [96, 72]\ngrid = 12\nrotation = 2\n'


def test_a_fresh_process_imports_every_library_under_the_guard_and_writes_every_format(tmp_path):
    """All imports (matplotlib's backends, PIL's plugins, torch, JAX) happen while the guard is active."""
    for name in ("torch", "pytorch_optimizer", "optax", "imageio_ffmpeg"):
        require(name)
    (tmp_path / "race.toml").write_text(RACE)
    (tmp_path / "three_d.toml").write_text(THREE_D)
    result = subprocess.run([sys.executable, "-c", FRESH], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["codes"] == {key: [0, ""] for key in report["codes"]}, report["codes"]
    assert report["imports"] > 100  # matplotlib, PIL, torch, JAX... were imported while the guard was active
    from PIL import Image

    for name, frames in (("race.gif", 13), ("race.apng", 13), ("race.webp", 13), ("race.png", 1)):
        with Image.open(tmp_path / name) as image:
            assert getattr(image, "n_frames", 1) == frames and image.size == (128, 96), name
    assert (tmp_path / "race.mp4").read_bytes()[4:8] == b"ftyp"
    assert "<html" in (tmp_path / "race.html").read_text()
    with Image.open(tmp_path / "three_d.gif") as image:
        assert image.n_frames == 9
