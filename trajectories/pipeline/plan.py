"""What ``trajectories render`` will do, decided from its options: which scenes, with which options,
written where and in which format. The command line only turns options into a call of :func:`plan_render`
and the plan into renders; every rule lives here, testable without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.spec import OptimizerSpec
from ..errors import OutputError, PlanError
from ..options import OPTIONS
from ..scene import Scene, SeriesScene, builtin_scenes, find_scenes
from ..support.atomic import check_file_name, check_writable
from ..support.folders import check_output_file
from ..writers import get_format, infer_format
from .limits import CheckedRender, check_render

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue

DEFAULT_FOLDER = Path("output")
SCALES = (0.1, 8.0)
"""``--scale``'s range: a tenth of the size to eight times it."""


@dataclass(frozen=True)
class AdHoc:
    """A scene described on the command line: ``--surface`` (a name or a formula) and its optimizers."""

    surface: str
    specs: tuple[OptimizerSpec, ...]
    starts: tuple[tuple[float, float], ...] = ()
    steps: int | None = None
    window: tuple[float, float, float, float] | None = None

    def scene(self, names: tuple[str, ...]) -> Scene:
        if not self.specs:
            raise PlanError("an ad hoc scene needs at least one --optimizer")
        name = self.surface.strip() if self.surface.strip() in names else "formula"
        return Scene(name, self.surface, self.specs, start=list(self.starts) or None, steps=self.steps or 100,
                     window=self.window, description="ad hoc scene")


@dataclass(frozen=True)
class RenderPlan:
    """The renders, each checked once (:class:`~trajectories.pipeline.limits.CheckedRender`: a scene, options applied,
    with its target file and format); ``paths_json`` is the JSON to write beside a single optimizer scene;
    ``folders`` are the folders the outputs go in (the default ``output/``, ``--out-dir``, the folders of ``-o``
    and ``--paths``), made if missing (:func:`~trajectories.support.folders.folders_kept_only_if_used`)."""

    renders: tuple[CheckedRender, ...]
    paths_json: str | None
    folders: tuple[Path, ...]

    @property
    def scenes(self) -> list[SceneValue]:
        return [checked.scene for checked in self.renders]

    @property
    def targets(self) -> list[Path]:
        return [checked.path for checked in self.renders]

    @property
    def formats(self) -> list[str]:
        return [checked.fmt.name for checked in self.renders]


def adhoc_scene(
    surface: str | None,
    specs: tuple[OptimizerSpec, ...] = (),
    starts: tuple[tuple[float, float], ...] = (),
    steps: int | None = None,
    window: tuple[float, float, float, float] | None = None,
) -> AdHoc | None:
    """The ad hoc scene of ``--surface`` and friends, or ``None``; those options without ``--surface`` are
    an error."""
    if surface is None:
        if specs or starts or steps is not None or window is not None:
            raise PlanError("--optimizer, --start, --steps and --window go with --surface (an ad hoc scene)")
        return None
    return AdHoc(surface, tuple(specs), tuple(starts), steps, window)


def has_option(scene: SceneValue, name: str) -> bool:
    """Whether ``scene`` has option ``name`` (a side-by-side scene passes its panels' options on)."""
    return scene.takes(name) or any(race.takes(name) for race in scene.races())


def apply_options(scene: SceneValue, overrides: dict[str, Any]) -> Any:
    """``scene`` with the overrides it has (``--all`` mixes kinds of scenes: a trail means nothing to the
    EWA figure)."""
    own = {key: value for key, value in overrides.items() if has_option(scene, key)}
    return scene.with_options(**own) if own else scene


def _select(references: tuple[str, ...], render_all: bool, adhoc: AdHoc | None) -> list:
    if adhoc is not None:
        if references or render_all:
            raise PlanError("--surface makes an ad hoc scene: give no SCENE and no --all with it")
        return [adhoc.scene(tuple(_catalogue_names()))]
    if render_all == bool(references):
        raise PlanError("name the scenes to render, or give --all (see `trajectories list`)")
    if render_all:
        return list(builtin_scenes().values())
    return [scene for reference in references for scene in find_scenes(reference)]


def _catalogue_names() -> tuple[str, ...]:
    from ..surfaces.catalogue import surface_names

    return surface_names()


def plan_render(
    references: tuple[str, ...] = (),
    *,
    render_all: bool = False,
    adhoc: AdHoc | None = None,
    output: str | None = None,
    out_dir: str | None = None,
    fmt: str | None = None,
    paths_json: str | None = None,
    series: str | None = None,
    column: str | None = None,
    data: str | None = None,
    scale: float | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int = 1,
) -> RenderPlan:
    """Decide a render; :class:`PlanError` (or a scene's own error) when the options don't go together.

    ``paths_json`` is where to write an optimizer scene's computed paths (``--paths``); ``series`` and
    ``column`` are a series scene's *input* (``--series FILE.csv --column NAME``). ``data`` is the old
    ``--data``, which meant either: the series to read for a series scene, else the paths to write.
    ``overrides`` apply to the scenes that have them, and one that no selected scene has is an error.
    Every scene's frame count and the memory its render with ``jobs`` processes would need are checked
    here too (:mod:`trajectories.pipeline.limits`), before the default output folder is made.
    """
    overrides = dict(overrides or {})
    for flag, value in (("-o", output), ("--out-dir", out_dir), ("--paths", paths_json), ("--series", series),
                        ("--data", data)):
        if value is not None and not str(value).strip():
            raise PlanError(f"{flag}: the file name is empty")
    scenes = _select(references, render_all, adhoc)
    if data is not None:
        if paths_json is not None or series is not None:
            raise PlanError("--data is the old spelling of --paths and --series: give only the new one")
        if any(isinstance(s, SeriesScene) for s in scenes):
            series = data
        else:
            paths_json = data
    if (render_all or len(scenes) > 1) and (output or paths_json):
        raise PlanError("-o and --paths take one scene; use --out-dir for several")
    if output and out_dir:
        raise PlanError("give -o or --out-dir, not both")
    if column is not None or series is not None:
        if len(scenes) > 1 or not isinstance(scenes[0], SeriesScene):
            raise PlanError("--series FILE.csv --column NAME reads a series for one series scene (fig5_ewa)")
        if series is None or column is None:
            raise PlanError("a series scene reads a real series with both --series FILE.csv and --column NAME")
        overrides.update(data=series, column=column)
    if paths_json is not None and isinstance(scenes[0], SeriesScene):
        raise PlanError(f"--paths writes optimizer paths; {scenes[0].name} has none")
    scenes = with_overrides(scenes, overrides, scale)
    folder = Path(out_dir) if out_dir else DEFAULT_FOLDER
    if out_dir and folder.exists() and not folder.is_dir():
        raise PlanError(f"--out-dir: {folder} is a file, not a folder")
    targets, formats = [], []
    for scene in scenes:
        own = None if (output or out_dir) else own_output(scene)
        chosen = infer_format(output or own, fmt or scene.output_format)
        formats.append(chosen.name)
        targets.append(Path(output or own) if (output or own) else folder / f"{scene.name}{chosen.extension}")
    default_used = not output and not out_dir and any(target.parent == folder for target in targets)
    label = "-o" if output else "the output"
    check_default_folder(folder if default_used else None)
    renders = tuple(check_render(scene, get_format(name), target, paths_json, jobs, None, PlanError,
                                 (label, "--paths"))  # each file checked with its render
                    for scene, target, name in zip(scenes, targets, formats, strict=True))
    check_distinct(outputs(targets, paths_json, label), inputs(scenes, series))
    written = [*targets, *([Path(paths_json)] if paths_json is not None else [])]
    folders = tuple(dict.fromkeys(target.parent for target in written))
    return RenderPlan(renders, paths_json, folders)


def with_overrides(scenes: list, overrides: dict[str, Any], scale: float | None = None) -> list:
    """``scenes`` with the option ``overrides`` each has, then ``--scale``; :class:`PlanError` for an override
    that none of them has."""
    unused = [key for key in overrides if not any(has_option(scene, key) for scene in scenes)]
    if unused:
        raise PlanError(f"--{unused[0].replace('_', '-')} does not apply to {', '.join(s.name for s in scenes)}")
    scenes = [apply_options(scene, overrides) for scene in scenes]
    return scenes if scale is None else [scaled(scene, scale) for scene in scenes]


def scaled(scene: SceneValue, scale: float) -> Any:
    """``scene`` with its frame size and dpi multiplied by ``scale`` (``--scale``)."""
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not SCALES[0] <= scale <= SCALES[1]:
        raise PlanError(f"--scale must be a number from {SCALES[0]:g} to {SCALES[1]:g}, got {scale!r}")
    dpi, lowest = round(scene.look.dpi * scale), int(OPTIONS["dpi"].low)
    if dpi < lowest:
        raise PlanError(f"--scale {scale:g} makes {scene.name}'s dpi {dpi}, under the smallest that draws text, "
                        f"{lowest}: use a larger --scale or --dpi")
    return scene.with_options(size=(round(scene.look.size[0] * scale), round(scene.look.size[1] * scale)), dpi=dpi)


def own_output(scene: SceneValue) -> Path | None:
    """Where a scene file asks to be written (``[output] path`` in TOML, ``output=`` in Python), relative to
    that file's folder and confined to it: a scene shared by a stranger can never name a file elsewhere
    (``-o`` can). :class:`PlanError` for an absolute path, a ``..``, a hidden part (``.git/config``), a name
    without its format's suffix, or a symbolic link that leads out."""
    own = scene.output
    if own is None:
        return None
    source = scene.source
    base = Path(source).resolve().parent if source else Path.cwd().resolve()
    where = f"{scene.name}: [output] path {own!r}"
    relative = check_file_name(own, where)
    if relative.is_absolute() or relative.drive or ".." in relative.parts:
        raise PlanError(f"{where} must stay inside the scene file's folder; pass -o to write elsewhere")
    hidden = next((part for part in relative.parts if part.startswith(".")), None)
    if hidden is not None:  # .git/config, .bashrc, .venv/...: never the place of an animation
        raise PlanError(f"{where}: {hidden} is a hidden name (it starts with a dot); pass -o to write there")
    fmt = infer_format(relative, scene.output_format)
    if relative.suffix.lower() not in fmt.suffixes:  # a file's name says what it holds
        raise PlanError(f"{where} must end in {' or '.join(fmt.suffixes)}, as {fmt.name} files do")
    target = base / relative
    if not target.resolve().is_relative_to(base):
        raise PlanError(f"{where} leads out of the scene file's folder through a link; pass -o to write elsewhere")
    return target


def inputs(scenes: list, series: str | None) -> list[tuple[str, Path]]:
    """What a render reads, which it must never overwrite: scene files and a series' CSV."""
    found = [(f"the scene file of {scene.name}", Path(scene.source)) for scene in scenes
             if scene.source and Path(scene.source).is_file()]
    found += [(f"the dataset of {scene.name}", Path(scene.dataset_spec.params["path"])) for scene in scenes
              if scene.kind == "network" and scene.dataset_spec.kind == "csv"]  # issue 29
    return found + ([("the series read with --series", Path(series))] if series is not None else [])


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (links and ``..`` resolved; existing files compared by inode)."""
    if a.exists() and b.exists():
        return a.samefile(b)
    return a.resolve() == b.resolve()


def check_outputs(targets: list[Path], paths_json: str | None, folder: Path | None,
                  reads: list[tuple[str, Path]], label: str = "the output") -> None:
    """Before any work: every output can be written (a missing folder, ``folder`` the default output
    folder included, is made later and must be creatable), no two outputs are one file, and no output is an
    input."""
    check_default_folder(folder)
    writes = outputs(targets, paths_json, label)
    for flag, target in writes:
        check_output_file(target, flag)  # a missing folder is made later
    check_distinct(writes, reads)


def outputs(targets: list[Path], paths_json: str | None, label: str) -> list[tuple[str, Path]]:
    """What a render writes, each with the flag that named it."""
    return [(label, target) for target in targets] + ([("--paths", Path(paths_json))] if paths_json is not None else [])


def check_default_folder(folder: Path | None) -> None:
    """The default output ``folder`` (``None``: not used) is a folder, or can be made."""
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder} is a file, not a folder: remove it, or use -o or --out-dir")
        if not folder.exists():
            check_writable(folder, "output")  # can be made in its parent


def check_distinct(writes: list[tuple[str, Path]], reads: list[tuple[str, Path]]) -> None:
    """No two outputs are one file, and no output is an input."""
    for index, (flag, target) in enumerate(writes):
        for role, path in reads:
            if same_file(target, path):
                raise PlanError(f"{flag} {target} is {role}: an output never overwrites an input")
        for other_flag, other in writes[:index]:
            if same_file(target, other):
                raise PlanError(f"{other_flag} and {flag} name the same file {target}")
