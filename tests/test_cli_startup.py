"""The first minute: the command line answers at once. `trajectories --help` and `list` load no numpy,
matplotlib, mpmath or Pillow; `render NAME` builds only that scene; the index that `list` reads from the
scene files' text is what running them gives. (How fast: `python bench/bench_startup.py`.)"""

import json
import os
import subprocess
import sys

import pytest

from trajectories import scene_index
from trajectories.scene import builtin_scene, builtin_scenes, find_scenes
from trajectories.scene.race import Scene

HEAVY = ("numpy", "matplotlib", "mpmath", "PIL", "sympy", "imageio")

# every module of ours that `trajectories --help` imports: the command group, the option table it declares
# the commands' options from, and what that table needs to describe them
HELP_MODULES = {
    "trajectories", "trajectories.cli.main", "trajectories.cli.check", "trajectories.cli.options",
    "trajectories.cli.tune",
    "trajectories.errors", "trajectories.options", "trajectories.support.processes", "trajectories.compute.starts",
    "trajectories.trust.names", "trajectories.version", "trajectories.render.registry",
    "trajectories.cli", "trajectories.compute", "trajectories.render", "trajectories.support", "trajectories.trust",
}


def modules_after(*args: str, cwd=None) -> tuple[set[str], str]:
    """The modules loaded once ``trajectories ARGS`` has answered (in a fresh interpreter), and its output."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['trajectories', *{list(args)!r}]\n"
        "from trajectories.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd)
    output, _, modules = done.stdout.rstrip("\n").rpartition("\n")
    return set(json.loads(modules)), output


def test_help_imports_only_the_command_line_and_its_option_table(tmp_path):
    modules, output = modules_after("--help", cwd=tmp_path)
    assert "render" in output and "list" in output
    ours = {name for name in modules if name == "trajectories" or name.startswith("trajectories.")}
    assert ours == HELP_MODULES
    assert not [name for name in modules if name.split(".")[0] in HEAVY]


def test_list_reads_names_without_building_a_scene(tmp_path):
    modules, output = modules_after("list", cwd=tmp_path)
    assert not [name for name in modules if name.split(".")[0] in HEAVY]
    assert "trajectories.scene" not in modules
    listed = [line.split()[0] for line in output.splitlines() if line.strip()]
    assert listed == list(builtin_scenes())


def test_the_index_read_from_the_files_is_what_running_them_gives():
    index, built = scene_index.builtin_index(), builtin_scenes()
    assert list(index) == list(built)
    for name, entry in index.items():
        scene = built[name]
        assert entry.description == scene.description and str(entry.path) == scene.source
        alone = builtin_scene(entry)
        assert (type(alone), alone.name, alone.description, alone.source, alone.frame_count) == (
            type(scene), scene.name, scene.description, scene.source, scene.frame_count)


def test_render_name_builds_that_scene_only(monkeypatch):
    built = []
    original = Scene.__post_init__

    def counting(self):
        built.append(self.name)
        original(self)

    monkeypatch.setattr(Scene, "__post_init__", counting)
    (scene,) = find_scenes("fig6_momentum")  # one of article.py's eleven
    assert scene.name == "fig6_momentum" and scene.optimizers[1].label == "Momentum"
    assert set(built) == {"fig6_momentum"}  # (built, then given its source: dataclasses.replace)


def test_a_file_that_needs_another_scene_runs_whole(tmp_path, monkeypatch):
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "pair.py").write_text(
        "from trajectories.scene import Scene\n"
        "base = Scene('base', 'sphere', ['sgd:lr=0.1'], steps=5, description='the base')\n"
        "dark = base.with_options(name='dark', theme='dark')\n"
        "other = Scene('other', 'booth', ['adam:lr=0.1'], steps=int(base.steps * 2), description='twice')\n"
    )
    monkeypatch.setattr(scene_index, "builtin_scene_folder", lambda: folder)
    index = scene_index.builtin_index()
    assert list(index) == ["base", "other"]  # `dark` is made otherwise: running the file finds it (the test above)
    assert builtin_scene(index["other"]).steps == 10  # needs `base`, removed at first: the whole file ran


def test_running_a_scene_file_writes_no_bytecode_beside_it(tmp_path):
    scene = tmp_path / "mine.py"
    scene.write_text("from trajectories.scene import Scene\nrace = Scene('race', 'sphere', ['sgd:lr=0.1'], steps=3)\n")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "trajectories", "list", str(scene)], check=True, env=env, cwd=tmp_path,
                   capture_output=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.py"]


@pytest.mark.parametrize("name", ["optimizers", "Scene", "run", "horizons", "get_surface"])
def test_the_package_face_imports_each_name_on_first_use(name, tmp_path):
    code = (f"import sys, trajectories as tj\nassert 'numpy' not in sys.modules\nvalue = tj.{name}\n"
            "import trajectories.compute.run\nprint(callable(tj.run), type(value).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.split() == ["True", "module" if name == "optimizers" else "type" if name == "Scene" else
                                   "function"]
