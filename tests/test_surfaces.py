"""Surfaces against SURFACES.md (typed in here as the independent reference) and finite differences."""

import inspect
import math

import numpy as np
import pytest

from trajectories.surfaces import analytic as surfaces
from trajectories.surfaces.catalogue import SURFACE_NAMES, get_surface

# (name, [(x, y)], value) as SURFACES.md gives them, to the digits it gives
REFERENCE_MINIMA = [
    ("sphere", [(0, 0)], 0),
    ("rosenbrock", [(1, 1)], 0),
    ("beale", [(3, 0.5)], 0),
    ("booth", [(1, 3)], 0),
    ("matyas", [(0, 0)], 0),
    ("himmelblau", [(3, 2), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)], 0),
    ("rastrigin", [(0, 0)], 0),
    ("ackley", [(0, 0)], 0),
    ("goldstein_price", [(0, -1)], 3),
    ("styblinski_tang", [(-2.903534, -2.903534)], -78.332331),
    ("six_hump_camel", [(0.0898420, -0.7126564), (-0.0898420, 0.7126564)], -1.0316285),
    ("three_hump_camel", [(0, 0)], 0),
    ("easom", [(math.pi, math.pi)], -1),
    ("mccormick", [(-0.5471976, -1.5471976)], -1.9132230),
    ("levi_n13", [(1, 1)], 0),
    ("branin", [(-math.pi, 12.275), (math.pi, 2.275), (9.424778, 2.475)], 0.397887),
    ("peaks", [(0.228279, -1.625535)], -6.551133),
    ("ravine", [(0, 0)], 0),
    ("rotated_ravine", [(0, 0)], 0),
    ("plateau", [(0, 0)], 0),
    ("cliff", [(0, 0)], 0),
]
LOCAL_MINIMA = [
    ("goldstein_price", (-0.6, -0.4), 30), ("goldstein_price", (1.8, 0.2), 84), ("goldstein_price", (1.2, 0.8), 840),
    ("peaks", (-1.347396, 0.204519), -3.049849), ("peaks", (0.296446, 0.320196), -0.064936),
]


@pytest.mark.parametrize(("name", "points", "value"), REFERENCE_MINIMA)
def test_documented_global_minima(name, points, value):
    surface = get_surface(name)
    # the catalogue's minima are the documented ones, to the documented digits
    ours = sorted(p.point for p in surface.global_minima)
    np.testing.assert_allclose(ours, sorted(points), atol=1e-6)
    for p in surface.global_minima:
        assert p.value == pytest.approx(value, abs=1e-6)
        # f at the point is the value, and the point is a critical point (to the digits stored)
        assert surface.f(np.array(p.point)) == pytest.approx(p.value, abs=1e-12)
    # f at the *documented* (rounded) points equals the documented value to the digits given
    for point in points:
        assert surface.f(np.array(point, float)) == pytest.approx(value, abs=2e-6)


@pytest.mark.parametrize(("name", "point", "value"), LOCAL_MINIMA)
def test_documented_local_minima(name, point, value):
    surface = get_surface(name)
    match = [p for p in surface.minima if p.kind == "local" and np.allclose(p.point, point, atol=1e-6)]
    assert len(match) == 1
    assert match[0].value == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_gradient_vanishes_at_every_critical_point(name):
    surface = get_surface(name)
    if name == "ackley":
        assert np.array_equal(surface.grad(np.zeros(2)), np.zeros(2))  # the subgradient we chose
        return
    for p in surface.critical_points:
        scale = max(1.0, abs(p.value))
        assert np.linalg.norm(surface.grad(np.array(p.point))) < 1e-9 * scale, p


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_minima_are_minima_and_the_global_one_is_lowest(name):
    surface = get_surface(name)
    x0, x1, y0, y1 = surface.window
    xs, ys = np.meshgrid(np.linspace(x0, x1, 401), np.linspace(y0, y1, 401))
    grid_min = surface.f(np.stack([xs, ys], -1)).min()
    for p in surface.minima:
        around = np.array(p.point) + 1e-3 * np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1]])
        assert (surface.f(around) >= p.value - 1e-12).all(), p
    if surface.global_minima:
        assert min(p.value for p in surface.global_minima) <= grid_min + 1e-9


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_gradient_matches_central_differences(name):
    surface = get_surface(name)
    x0, x1, y0, y1 = surface.window
    rng = np.random.default_rng(sum(map(ord, name)))
    points = np.column_stack([rng.uniform(x0, x1, 200), rng.uniform(y0, y1, 200)])
    h = 1e-6 * max(x1 - x0, y1 - y0)
    numeric = np.stack(
        [(surface.f(points + h * e) - surface.f(points - h * e)) / (2 * h) for e in np.eye(2)], axis=-1
    )
    scale = np.maximum(1.0, np.abs(numeric))
    assert np.max(np.abs(surface.grad(points) - numeric) / scale) < 1e-5


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_surface_values_are_well_formed(name):
    surface = get_surface(name)
    assert surface.name == name
    assert surface.scale in ("log", "linear")
    assert surface.contains(*surface.start)
    for p in surface.minima:
        assert surface.contains(p.x, p.y)
    assert surface.description and "\n" not in surface.description
    # vectorised over any leading shape, float64
    grid = np.zeros((3, 4, 2)) + np.array(surface.start)
    assert surface.f(grid).shape == (3, 4) and surface.f(grid).dtype == np.float64
    assert surface.grad(grid).shape == (3, 4, 2)


@pytest.mark.parametrize(
    "factory", [f for name, f in vars(surfaces).items() if inspect.isfunction(f) and not name.startswith("_")
                and inspect.signature(f).return_annotation in ("Surface", surfaces.Surface)],
)
def test_every_surface_documents_its_math(factory):
    assert ":math:" in inspect.getdoc(factory)


def test_unknown_surface_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown surface 'rosenbrok'.*rosenbrock"):
        get_surface("rosenbrok")


def test_saddles_have_no_minima():
    for name in ("saddle", "monkey_saddle"):
        surface = get_surface(name)
        assert surface.minima == () and [p.kind for p in surface.critical_points] == ["saddle"]


def test_ravine_condition_number_and_rotation():
    flat, turned = surfaces.ravine(kappa=50), surfaces.ravine(kappa=50, angle_degrees=45)
    # Hessian by differences of the analytic gradient
    for surface, expected_axis in ((flat, [0, 1]), (turned, [-math.sqrt(0.5), math.sqrt(0.5)])):
        hessian = np.stack([surface.grad(np.eye(2)[i]) for i in range(2)], axis=1)
        eigenvalues, vectors = np.linalg.eigh(hessian)
        np.testing.assert_allclose(eigenvalues, [1, 50], atol=1e-12)
        assert abs(abs(vectors[:, 1] @ expected_axis) - 1) < 1e-12


def test_the_cliff_is_a_smooth_wall_forty_times_steeper_than_the_bowl():
    cliff = get_surface("cliff")
    # slope along y = 0 by central differences of f itself (not the analytic gradient)
    xs = np.linspace(-8, 8, 16001)
    h = 1e-6
    slope = (cliff.f(np.column_stack([xs + h, 0 * xs])) - cliff.f(np.column_stack([xs - h, 0 * xs]))) / (2 * h)
    wall = (xs > 1.5) & (xs < 3.5)
    # hk/2 = 10·8/2 from the wall, plus the bowl's 4x/(4 + x²) = 0.976 at the edge x = 2.5
    assert np.max(slope[wall]) == pytest.approx(40 + 10 / 10.25, rel=1e-6)
    assert xs[wall][np.argmax(slope[wall])] == pytest.approx(2.5, abs=0.01)
    assert np.max(np.abs(slope[~wall])) < 1.05  # away from the wall only the bowl: 4|x|/(4 + x²) <= 1
    # the plateau beyond the edge is 10 higher than the bowl at the same distance from the centre
    assert cliff.f(np.array([4.0, 0.0])) - cliff.f(np.array([-4.0, 0.0])) == pytest.approx(10, abs=1e-6)
    # a cliff, not a slope: 92% of its height (tanh 1.6) is climbed within 0.2 of the edge
    rise = cliff.f(np.array([2.7, 0.0])) - cliff.f(np.array([2.3, 0.0]))
    assert 10 * math.tanh(1.6) < rise < 10 * math.tanh(1.6) + 0.4  # plus the bowl's rise, < 0.4 × 1


# surfaces with minima but no published reference to type in, and what checks them instead
CHECKED_OTHERWISE = {
    "regression": "tests/test_gradients.py solves the normal equations",
    "two_wells": "a lesson surface of ours: the dense-grid test below and the critical-point tests",
}


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_every_surface_with_minima_has_an_independent_reference(name):
    """A surface added to the catalogue fails here until its minima are typed into REFERENCE_MINIMA from
    a source (SURFACES.md, a paper), or it says above what checks them instead (CONTRIBUTING.md)."""
    surface = get_surface(name)
    has_global = any(point.kind == "global" for point in surface.minima)
    assert not has_global or name in {n for n, _, _ in REFERENCE_MINIMA} | set(CHECKED_OTHERWISE)


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_no_point_of_the_window_lies_below_the_global_minimum(name):
    """The documented global minimum really is global over the plotting window (a 601 × 601 grid)."""
    surface = get_surface(name)
    best = [point.value for point in surface.minima if point.kind == "global"]
    if not best:
        pytest.skip(f"{name} has no minimum")
    x0, x1, y0, y1 = surface.window
    x, y = np.meshgrid(np.linspace(x0, x1, 601), np.linspace(y0, y1, 601))
    lowest = float(np.min(surface.value(x, y)))
    assert lowest >= min(best) - 1e-9 * max(1.0, abs(min(best)))
