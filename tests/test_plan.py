"""Render planning without the command line: selection, overrides, targets and formats."""

from pathlib import Path

import pytest

from trajectories.core.spec import parse_optimizer
from trajectories.errors import OutputError
from trajectories.pipeline.plan import AdHoc, PlanError, adhoc_scene, plan_render
from trajectories.scene import builtin_scenes


def test_all_scenes_get_the_options_they_have():
    plan = plan_render(render_all=True, overrides={"theme": "dark", "trail": "tail"}, out_dir=None)
    assert [s.name for s in plan.scenes] == list(builtin_scenes())
    by_name = {s.name: s for s in plan.scenes}
    assert by_name["rosenbrock"].look.theme == "dark" and by_name["rosenbrock"].trail_spec.trail == "tail"
    assert by_name["fig5_ewa"].look.theme == "dark"  # a series has a theme, but no trail: left alone
    assert by_name["fig1_critical_points"].panels[0].trail_spec.trail == "tail"  # side by side: passed to the panels
    assert plan.targets[0] == Path("output") / f"{plan.scenes[0].name}.gif" and plan.folders == (Path("output"),)


def test_targets_and_formats(tmp_path):
    plan = plan_render(("rosenbrock",), output=str(tmp_path / "race.webp"))
    assert plan.targets == [tmp_path / "race.webp"] and plan.formats == ["webp"] and plan.folders == (tmp_path,)
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="file is a file, not a folder"):  # checked before any work
        plan_render(("rosenbrock",), output=str(tmp_path / "file" / "x" / "race.webp"))
    plan = plan_render(("rosenbrock",), output=str(tmp_path / "x" / "y" / "race.webp"), paths_json="p.json")
    assert plan.folders == (tmp_path / "x" / "y", Path(".")) and not (tmp_path / "x").exists()  # made later
    plan = plan_render(("rosenbrock",), fmt="png")
    assert plan.targets == [Path("output/rosenbrock.png")] and plan.formats == ["png"]


def test_ad_hoc_scenes_and_their_options():
    adhoc = adhoc_scene("x**2 + 3*y**2", (parse_optimizer("adam:lr=0.1"),), ((1.0, 1.0),), 20, (-2, 2, -2, 2))
    plan = plan_render(adhoc=adhoc, scale=0.5)
    (scene,) = plan.scenes
    assert scene.name == "formula" and scene.steps == 20 and scene.look.size == (320, 240) and scene.look.dpi == 50
    assert plan_render(adhoc=AdHoc("himmelblau", adhoc.specs)).scenes[0].name == "himmelblau"
    with pytest.raises(PlanError, match="go with --surface"):
        adhoc_scene(None, adhoc.specs)
    with pytest.raises(PlanError, match="give no SCENE"):
        plan_render(("rosenbrock",), adhoc=adhoc)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "name the scenes to render"),
    ({"references": ("rosenbrock",), "render_all": True}, "name the scenes to render"),
    ({"render_all": True, "output": "x.gif"}, "take one scene"),
    ({"references": ("rosenbrock",), "output": "x.gif", "out_dir": "."}, "not both"),
    ({"references": ("rosenbrock",), "column": "Close"}, "reads a series for one series scene"),
    ({"references": ("fig5_ewa",), "series": "prices.csv"}, "both --series FILE.csv and --column NAME"),
    ({"references": ("fig5_ewa",), "data": "prices.csv"}, "both --series FILE.csv and --column NAME"),  # the old flag
    ({"references": ("fig5_ewa",), "data": "p.csv", "series": "p.csv"}, "old spelling of --paths and --series"),
    ({"references": ("fig5_ewa",), "paths_json": "p.json"}, "--paths writes optimizer paths; fig5_ewa has none"),
    ({"references": ("fig5_ewa",), "overrides": {"loss_panel": True}}, "--loss-panel does not apply to fig5_ewa"),
    ({"references": ("rosenbrock",), "out_dir": __file__}, "is a file, not a folder"),
])  # fmt: skip
def test_options_that_do_not_go_together(kwargs, message):
    references = kwargs.pop("references", ())
    with pytest.raises(PlanError, match=message):
        plan_render(references, **kwargs)


def counted_checks(monkeypatch) -> dict[str, int]:
    """Count the calls of each check a render makes (frames, memory, view, output file), wherever they are made."""
    from trajectories.pipeline import limits, plan

    calls = dict.fromkeys(("check_render_size", "check_frame_count", "check_memory", "check_output_file"), 0)
    for module in (limits, plan):
        for name in calls:
            original = getattr(module, name, None)
            if original is None:
                continue

            def counted(*args, _name=name, _original=original, **kwargs):
                calls[_name] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, name, counted)
    return calls


def test_the_plan_checks_each_fact_once_and_the_render_does_not_check_again(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from trajectories.cli.main import cli
    from trajectories.scene import Scene

    calls = counted_checks(monkeypatch)
    result = CliRunner().invoke(cli, ["render", "--surface", "sphere", "--optimizer", "adam:lr=0.1", "--steps", "4",
                                      "--size", "96x72", "-o", str(tmp_path / "cli.gif"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert calls == dict.fromkeys(calls, 1)  # in the plan; render_checked checks nothing again
    calls.update(dict.fromkeys(calls, 0))
    Scene("api", "sphere", ["adam:lr=0.1"], steps=4, size=(96, 72)).render(tmp_path / "api.gif")
    assert calls == dict.fromkeys(calls, 1)  # the Python API goes through the same one check
    calls.update(dict.fromkeys(calls, 0))
    with pytest.raises(Exception, match="frames, more than"):  # and it does check
        Scene("long", "sphere", ["adam"], steps=10**6, size=(96, 72)).render(tmp_path / "long.gif")
    assert calls["check_frame_count"] == 1 and calls["check_output_file"] == 0 and not (tmp_path / "long.gif").exists()
