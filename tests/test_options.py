"""The options table (:mod:`trajectories.options`) is the one source of every scene option: ``Scene(...)``,
TOML files, the command line, the starter files and the option reference (``docs/reference/options.md``) agree
with it, and with each other.

Each option is probed at and beyond its bounds (and with every choice and a bad one); the three ways in
must accept the same values and refuse the others with the same words.
"""

import dataclasses
import math
from pathlib import Path

import click
import pytest

from trajectories.cli.describe import starter
from trajectories.cli.main import cli
from trajectories.errors import SceneError
from trajectories.options import (
    OPTIONS,
    OPTIONS_LIST,
    SCENE_KINDS,
    TABLE_BEGIN,
    TABLE_END,
    default,
    options_for,
    table_rows,
)
from trajectories.scene import BatchDiagram, NetworkScene, Scene, SeriesScene, SideBySide
from trajectories.scene.toml_file import load_toml_scene
from trajectories.scene.values import PART_TYPES, default_part, part_for

ROOT = Path(__file__).resolve().parent.parent
CLASSES = {"race": Scene, "panels": SideBySide, "series": SeriesScene, "batches": BatchDiagram,
           "network": NetworkScene}
RACE = {"name": "s", "surface": "sphere", "optimizers": ["adam"]}
TOML_TYPES = {"int", "number", "choice", "bool", "text", "size"}


def probes(option):
    """Values at and just beyond ``option``'s limits."""
    low, high = option.low, option.high
    if option.kind == "int":
        return [low, high, low - 1, high + 1, 2.5, True]
    if option.kind == "number":
        below = low if option.above else math.nextafter(low, -math.inf)
        return [high, (low + high) / 2, below, high * 2 + 1, math.nan, math.inf]
    if option.kind == "choice":
        return [*option.choice_names(), "no-such-name", ""]
    if option.kind == "size":
        return [(low, low), (high, high), (low - 1, low), (low, high + 1)]
    if option.kind == "bool":
        return [True, False, 1]
    if option.kind == "text":
        return ["a title", 3]
    raise AssertionError(option.kind)


def cli_text(value):
    """How ``value`` is typed on the command line."""
    if isinstance(value, tuple):
        return f"{value[0]}x{value[1]}"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return repr(value)
    return str(value)


def scene_problem(option, value):
    try:
        Scene(**{**RACE, "surface": "regression" if option.name == "epochs" else "sphere"}, **{option.name: value})
    except SceneError as error:
        return str(error)
    return None


def toml_problem(option, value, folder):
    if isinstance(value, float) and not math.isfinite(value):
        value_text = {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
    elif isinstance(value, bool):
        value_text = "true" if value else "false"
    elif isinstance(value, tuple):
        value_text = f"[{value[0]}, {value[1]}]"
    elif isinstance(value, str):
        value_text = f'"{value}"'
    else:
        value_text = repr(value)
    table = f"[{option.toml}]\n" if option.toml else ""
    surface = "regression" if option.name == "epochs" else "sphere"
    body = f'surface = "{surface}"\n[[optimizers]]\nname = "adam"\n'
    if option.toml:
        body += f"{table}{option.key} = {value_text}\n"
    else:
        body = f"{option.key} = {value_text}\n" + body
    path = folder / "probe.toml"
    path.write_text(body)
    try:
        load_toml_scene(path)
    except SceneError as error:
        return str(error)
    return None


def cli_param(option, command="render"):
    name = option.param or option.name
    return next(param for param in cli.commands[command].params if param.name == name)


def cli_problem(option, value):
    param = cli_param(option, option.commands[-1])
    if option.kind == "bool":
        return None if isinstance(value, bool) else "not a flag value"
    try:
        param.type.convert(cli_text(value), param, None)
    except click.BadParameter as error:
        return error.message
    return None


CHECKED = [option for option in OPTIONS_LIST if "race" in option.kinds and option.kind in TOML_TYPES
           and option.name not in ("output", "output_format")]


@pytest.mark.parametrize("option", CHECKED, ids=[option.name for option in CHECKED])
def test_scene_toml_and_command_line_accept_and_refuse_the_same_values_alike(option, tmp_path):
    for value in probes(option):
        expected = option.problem(value)
        by_scene = scene_problem(option, value)
        assert (by_scene is None) == (expected is None), (value, by_scene)
        if expected is not None:
            assert by_scene == f"{option.name} {expected}"
        if option.toml is not None:
            by_toml = toml_problem(option, value, tmp_path)
            assert (by_toml is None) == (expected is None), (value, by_toml)
            if expected is not None:
                assert by_toml.endswith(f"{option.toml + '.' if option.toml else ''}{option.key}: {expected}")
        if option.flag and isinstance(value, bool) == (option.kind == "bool"):
            by_cli = cli_problem(option, value)
            assert (by_cli is None) == (expected is None), (value, by_cli)
            if expected is not None and option.kind != "size":  # the command line reads numbers as floats
                parsed = float(value) if option.kind == "number" and not isinstance(value, bool) else value
                assert by_cli == option.problem(parsed)


def test_toml_whole_numbers_are_probed_too(tmp_path):
    fps = OPTIONS["fps"]
    assert toml_problem(fps, 50, tmp_path) is None
    assert toml_problem(fps, 51, tmp_path).endswith("view.fps: must be a whole number from 1 to 50, got 51")
    steps = toml_problem(OPTIONS["steps"], 0, tmp_path)
    assert steps.endswith(": 1 problem: steps: must be a whole number from 1 to 1000000, got 0")


def test_every_flag_is_a_click_option_made_from_the_table():
    for option in OPTIONS_LIST:
        for command in option.commands:
            param = cli_param(option, command)
            assert param.opts[0] == option.flag.split("/")[0], option.name
            if option.kind == "choice":
                assert tuple(param.type.choices) == option.any_choice_names()  # any kind's
            given = param.get_default(click.Context(cli.commands[command]))
            if command == "render":
                assert given in (None, ()) or given is getattr(click.core, "UNSET", None)  # overrides what is given
            elif option.default is not None:
                assert given == option.default


def test_commands_declare_no_scene_option_by_hand():
    table = {option.param or option.name for option in OPTIONS_LIST if option.flag}
    own = {
        "run": {"fmt", "output", "reduced", "dask_address", "allow_modules"},
        "render": {"references", "render_all", "output", "out_dir", "paths_json", "series", "column", "data",
                   "scale", "jobs", "colors", "no_text", "quiet", "help", "tune_rates", "dask_address",
                   "allow_modules"},
    }
    for command, names in own.items():
        params = {param.name for param in cli.commands[command].params} - {"help"}
        made = {option.param or option.name for option in OPTIONS_LIST if command in option.commands}
        assert params - names == made
        assert made <= table


def test_defaults_of_every_scene_kind_come_from_the_table():
    for kind in SCENE_KINDS:
        fields = {field.name: field for field in dataclasses.fields(CLASSES[kind]) if field.init}
        for option in options_for(kind):
            if option.name in fields and fields[option.name].default is not dataclasses.MISSING:
                assert fields[option.name].default == default(option.name, kind), (kind, option.name)
            part = part_for(option.name, kind)
            if part is not None:  # stored in a part, whose kind's defaults are the table's
                assert getattr(default_part(part, kind), option.name) == default(option.name, kind), (kind, option)
    scene = Scene(**RACE)
    for option in options_for("race"):
        if option.name not in ("surface", "optimizers", "start", "window"):
            part = part_for(option.name, "race")
            held = scene if part is None else getattr(scene, part)
            assert getattr(held, option.name) == option.default, option.name


def test_every_scene_field_that_is_an_option_is_in_the_table():
    own = {"name", "surface", "optimizers", "source", "panels", "betas", "colors", "price_color", "stagger", "data",
           "column", "days", "samples", "drop_last", "columns", "frames_per_batch", *PART_TYPES}
    for kind, cls in CLASSES.items():
        names = {field.name for field in dataclasses.fields(cls) if field.init}
        declared = {option.name for option in options_for(kind)}
        assert names - own <= declared | {"batch_size"}, (kind, names - own - declared)


def test_starter_files_offer_exactly_the_tables_choices():
    for toml, names in ((False, ("theme",)), (True, ("theme", "trail"))):
        text = starter("race", toml)[1]
        for name in names:
            line = next(line for line in text.splitlines() if line.lstrip("# ").startswith(name))
            offered = line.split("#")[-1].replace(" or ", ", ").split(",")
            assert tuple(word.strip() for word in offered) == OPTIONS[name].choice_names(), line


def test_the_option_reference_rows_are_the_tables():
    """The option reference (``docs/reference/options.md``) holds the table's rows between its markers, as
    ``python docs/options_table.py`` writes them; so does any other page that holds the markers."""
    assert len(table_rows()) == len(OPTIONS_LIST) + 2
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    holding = [page for page in pages if TABLE_BEGIN in page.read_text(encoding="utf-8")]
    assert ROOT / "docs" / "reference" / "options.md" in holding
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count(TABLE_BEGIN) == text.count(TABLE_END) == (page in holding), page
        if page in holding:
            rows = text.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0].strip().splitlines()
            assert rows == table_rows(), f"{page.name} is stale: run `python docs/options_table.py`"
