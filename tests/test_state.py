"""What optimizers hold (``run(..., record_state=True)``, :mod:`trajectories.core.state`) against the update
rules' own recurrences, the overlays drawn from it, and the stories of the three ``inside_*`` scenes."""

import math

import numpy as np
import pytest

from trajectories.compute.paths import chaotic_paths, race_trajectories
from trajectories.compute.run import run
from trajectories.core.spec import parse_optimizer
from trajectories.core.state import effective_rates, nice_scale, velocity
from trajectories.scene import Racer, Scene, builtin_scenes
from trajectories.surfaces.catalogue import get_surface

RAVINE = get_surface("ravine")
SCENES = builtin_scenes()


def recorded(text, steps=12, start=(6.0, 3.0), surface=RAVINE):
    spec = parse_optimizer(text)
    return spec, run(surface, spec.build(), [start, (-2.0, 1.0)], steps, record_state=True)


def state_of(text, **keywords):
    spec, path = recorded(text, **keywords)
    return spec, path.state


def test_recording_changes_nothing_of_the_path():
    spec = parse_optimizer("adam:lr=0.3")
    plain = run(RAVINE, spec.build(), (6.0, 3.0), 20)
    _, kept = recorded("adam:lr=0.3", steps=20)
    assert np.array_equal(plain.positions, kept.positions[:, 0]) and plain.state is None


def test_sgd_velocity_is_torchs_buffer_and_the_step_is_minus_lr_times_it():
    spec, path = recorded("sgd:lr=0.01,momentum=0.9")
    g = path.state["gradient"]
    assert np.array_equal(g[0], RAVINE.grad(path.positions[0]))  # the gradient at the point it moved from
    buffer = np.zeros_like(g[0])
    for t in range(len(g)):
        buffer = g[t] if t == 0 else 0.9 * buffer + g[t]  # torch.optim.SGD: b1 = g1, bt = mu b(t-1) + gt
        np.testing.assert_allclose(path.state["velocity"][t], buffer, rtol=1e-15)
    np.testing.assert_allclose(path.state["step"], np.diff(path.positions, axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(path.state["step"], -0.01 * velocity(spec, path.state), rtol=1e-15)


def test_adam_moments_and_rates_follow_the_paper():
    spec, path = recorded("adam:lr=0.3")
    g, m, v = path.state["gradient"], path.state["mu"], path.state["nu"]
    mu, nu = np.zeros_like(g[0]), np.zeros_like(g[0])
    for t in range(len(g)):
        mu, nu = 0.9 * mu + 0.1 * g[t], 0.999 * nu + 0.001 * g[t] ** 2
        np.testing.assert_allclose([m[t], v[t]], [mu, nu], rtol=1e-12)
    rates = effective_rates(spec, path.state)
    t = np.arange(1, len(g) + 1)[:, None, None]
    np.testing.assert_allclose(rates, 0.3 / (np.sqrt(v / (1 - 0.999**t)) + 1e-8), rtol=1e-13)
    # Algorithm 1: the step is minus the rate times the bias-corrected first moment
    np.testing.assert_allclose(path.state["step"], -rates * m / (1 - 0.9**t), rtol=1e-12)
    raw_spec, raw = recorded("adam:lr=0.3,bias_correction=false")
    first = effective_rates(raw_spec, raw.state)[0] / rates[0]
    np.testing.assert_allclose(first, math.sqrt(1000), rtol=1e-6)  # v1 = 0.001 g²: √v is √1000 times too small


def test_rmsprop_and_adagrad_rates_rescale_the_gradient():
    for text in ("rmsprop:lr=0.05", "rmsprop:lr=0.05,centered=true", "adagrad:lr=0.5,lr_decay=0.1"):
        spec, path = recorded(text)
        np.testing.assert_allclose(path.state["step"], -effective_rates(spec, path.state) * path.state["gradient"],
                                   rtol=1e-12)
    spec, path = recorded("sgd:lr=0.02@step:step_size=4,gamma=0.5")
    rates = effective_rates(spec, path.state)
    assert rates[3, 0].tolist() == [0.02, 0.02] and rates[4, 1].tolist() == [0.01, 0.01]
    lion, path = recorded("lion:lr=0.01")
    assert effective_rates(lion, path.state) is None
    assert velocity(*state_of("rmsprop")) is None and velocity(*state_of("sgd")) is None
    assert velocity(*state_of("rmsprop:momentum=0.5")) is not None


def test_a_path_that_leaves_keeps_no_state_from_its_leaving_update_on():
    _, path = recorded("sgd:lr=0.5", steps=10)  # 1 - 50 * 0.5 = -24: thrown out of the escape box
    gone = int(path.diverged_step[0])
    assert 0 < gone < 10 and path.diverged_step[1] == gone  # both starts go
    assert np.isfinite(path.state["step"][: gone - 1]).all() and np.isnan(path.state["step"][gone - 1 :]).all()


@pytest.mark.parametrize("longest, room, expected", [(3.0, 0.8, 0.2), (0.02, 0.8, 20.0), (1.0, 1.0, 1.0),
                                                     (7.0, 0.8, 0.1), (0.0, 1.0, 1.0)])
def test_scales_are_round_and_keep_within_the_room(longest, room, expected):
    scale = nice_scale(longest, room)
    assert scale == pytest.approx(expected) and (longest == 0 or longest * scale <= room)


def test_overlays_are_drawn_at_the_heads_with_the_stated_scales():
    from .drawing import make_view

    scene = Scene("o", "ravine", [Racer("sgd:lr=0.01,momentum=0.9", "M"), Racer("rmsprop:lr=0.05", "R")],
                  start=(6.0, 3.0), steps=10, overlays=("gradient", "step", "velocity", "adaptive"), size=(320, 240))
    view = make_view(scene)
    try:
        view.frame(4)
        layer = view.overlays
        heads = [t.positions[4, 0] for t in view.trajectories]
        momentum, rms = view.trajectories
        shafts = [segment for segment in layer.arrows.get_segments()][::3]  # a shaft, then its two barbs
        expected = [
            (heads[0], -momentum.state["gradient"][4, 0] * layer.scales["gradient"]),
            (heads[0], momentum.state["step"][4, 0] * layer.scales["step"]),
            (heads[0], -momentum.state["velocity"][4, 0] * layer.scales["velocity"]),
            (heads[1], -rms.state["gradient"][4, 0] * layer.scales["gradient"]),
            (heads[1], rms.state["step"][4, 0] * layer.scales["step"]),  # RMSProp has no velocity here
        ]
        assert len(shafts) == len(expected)
        for shaft, (head, vector) in zip(shafts, expected, strict=True):
            np.testing.assert_allclose(shaft, [head, head + vector], rtol=1e-12)
        rates = [effective_rates(racer.spec, t.state)[4, 0] for racer, t in
                 zip(scene.optimizers, view.trajectories, strict=True)]
        np.testing.assert_allclose(layer.ellipses.get_offsets(), heads)
        np.testing.assert_allclose(layer.ellipses.get_widths(), np.array(rates)[:, 0] * 2 * layer.scales["adaptive"])
        np.testing.assert_allclose(layer.ellipses.get_heights(), np.array(rates)[:, 1] * 2 * layer.scales["adaptive"])
        assert rates[0][0] == rates[0][1] == 0.01  # SGD: lr on both axes, a circle
        assert layer.caption == "at each head, scaled: " + "   ".join(
            f"{symbol} ×{layer.scales[kind]:g}" for kind, symbol in
            zip(scene.overlays, ("- - −∇f", "— step", "··· −velocity", "◯ lr/(√v̂+ε)"), strict=True))
        view.frame(10)  # the last step: no update follows, nothing drawn
        assert len(layer.arrows.get_segments()) == 0 and len(layer.ellipses.get_offsets()) == 0
    finally:
        view.close()


# --- the three scenes ---------------------------------------------------------------------------------------

def test_inside_scenes_are_in_the_gallery_with_overlays():
    for name in ("inside_momentum", "inside_rmsprop", "inside_adam_bias"):
        scene = SCENES[name]
        assert scene.overlays and scene.view == "contour" and len(scene.look.title) <= 64
        assert all(t.state is not None for t in race_trajectories(scene))
        assert not chaotic_paths(scene)


def test_momentum_velocity_builds_up_along_the_valley():
    scene = SCENES["inside_momentum"]
    gd, momentum = race_trajectories(scene)
    along = velocity(scene.optimizers[1].spec, momentum.state)[:, 0, 0] / momentum.state["gradient"][:, 0, 0]
    assert along[0] == 1 and along[5] > 5 and along[10] > 9  # towards 1/(1 - 0.9) = 10 for a steady slope
    assert momentum.positions[30, 0, 0] < 0 < gd.positions[30, 0, 0] and gd.positions[30, 0, 0] > 4.5


def test_rmsprop_steps_are_as_long_along_the_valley_as_across():
    gd, rmsprop = race_trajectories(SCENES["inside_rmsprop"])
    spec = SCENES["inside_rmsprop"].optimizers[1].spec
    ratio = np.abs(rmsprop.state["step"][:6, 0, 0] / rmsprop.state["step"][:6, 0, 1])
    assert (0.9 < ratio).all() and (ratio < 1.3).all()
    assert (np.abs(gd.state["step"][:6, 0, 0] / gd.state["step"][:6, 0, 1]) < 0.15).all()
    rates = effective_rates(spec, rmsprop.state)[:6, 0]
    assert (rates[:, 0] / rates[:, 1] > 20).all()


def test_raw_adam_first_step_is_sqrt_10_times_too_long():
    scene = SCENES["inside_adam_bias"]
    corrected, raw = race_trajectories(scene)
    lr = 0.3
    np.testing.assert_allclose(np.abs(corrected.state["step"][0, 0]), [lr, lr], rtol=1e-6)  # sign(g) lr
    np.testing.assert_allclose(np.abs(raw.state["step"][0, 0]), [lr * 0.1 / math.sqrt(0.001)] * 2, rtol=1e-6)
    longer = np.linalg.norm(raw.state["step"][:5, 0], axis=-1) / np.linalg.norm(corrected.state["step"][:5, 0], axis=-1)
    assert (longer > 3).all()


def test_overlays_from_toml_and_the_command_line(tmp_path):
    from click.testing import CliRunner

    from trajectories.cli.main import cli
    from trajectories.scene.toml_file import load_toml_scene

    (tmp_path / "o.toml").write_text('name = "o"\nsurface = "ravine"\nsteps = 5\n[[optimizers]]\nname = "adam"\n'
                                     '[view]\noverlays = ["step", "adaptive"]\n')
    assert load_toml_scene(tmp_path / "o.toml")["o"].overlays == ("step", "adaptive")
    out = tmp_path / "o.gif"
    result = CliRunner().invoke(cli, ["render", "--surface", "ravine", "--optimizer", "rmsprop:lr=0.05",
                                      "--steps", "5", "--overlay", "step,adaptive", "-o", str(out), "-q"])
    assert result.exit_code == 0 and out.stat().st_size > 0, result.output


def test_state_series_are_the_rules_own_quantities():
    from trajectories.core.state import state_series

    spec, path = recorded("adam:lr=0.3,beta1=0.8,beta2=0.9")
    t = np.arange(1, 13)[:, None, None]
    np.testing.assert_allclose(state_series(spec, path.state, "m_hat"), path.state["mu"] / (1 - 0.8**t), rtol=1e-13)
    np.testing.assert_allclose(state_series(spec, path.state, "v_hat"), path.state["nu"] / (1 - 0.9**t), rtol=1e-13)
    assert state_series(spec, path.state, "v") is path.state["nu"]
    spec, path = recorded("rmsprop:lr=0.05,centered=true")
    np.testing.assert_allclose(state_series(spec, path.state, "v_hat"),
                               path.state["square_avg"] - path.state["grad_avg"] ** 2)
    assert state_series(spec, path.state, "m_hat") is None and state_series(spec, path.state, "velocity") is None


def test_the_state_panel_draws_both_axes_of_each_racer_up_to_the_frame():
    from trajectories.render.side_panels import panel_boxes

    from .drawing import make_view

    scene = Scene("s", "ravine", [Racer("sgd:lr=0.01,momentum=0.9", "M"), Racer("sgd:lr=0.01", "GD")],
                  start=(6.0, 3.0), steps=10, state_panel="velocity", loss_panel=True, lr_panel=True,
                  size=(320, 240))
    view = make_view(scene)
    try:
        view.frame(4)
        curves = view.state_panel.collection.get_segments()
        buffer = np.abs(view.trajectories[0].state["velocity"][:5, 0])
        assert len(curves) == 2  # plain GD has no velocity: nothing drawn for it
        np.testing.assert_allclose(curves[0], np.column_stack([np.arange(5), buffer[:, 0]]))
        np.testing.assert_allclose(curves[1], np.column_stack([np.arange(5), buffer[:, 1]]))
        assert view.state_axes.get_yscale() == "log"
    finally:
        view.close()
    for wide in (True, False):
        for caption in (True, False):
            boxes = [b for b in panel_boxes(wide, True, True, True, caption) if b is not None]
            assert len(boxes) == 4
            for i, (l1, b1, w1, h1) in enumerate(boxes):
                assert 0 < l1 and l1 + w1 < 1 and (0.035 if caption else 0) < b1 and b1 + h1 <= 0.9
                for l2, b2, w2, h2 in boxes[i + 1:]:
                    assert l1 + w1 <= l2 or l2 + w2 <= l1 or b1 + h1 <= b2 or b2 + h2 <= b1  # no overlap


def test_overlays_and_panels_are_refused_where_no_view_draws_them():
    from trajectories.errors import SceneError

    for option in ({"overlays": ("step",)}, {"state_panel": "v"}, {"lr_panel": True}):
        with pytest.raises(SceneError, match="is drawn by the contour view, not by view 'surface'"):
            Scene("s", "sphere", ["adam"], view="surface", **option)
