"""Many-start compute against the floor: every built-in rule, the streaming reduction
(:func:`trajectories.compute.basins.reduce_paths`: the paths, where each converges and when, where each diverges)
beside the same update written as a plain numpy loop over the same starts (torch's conventions, the
rules' own order of operations), which keeps nothing but the points.

Himmelblau, 40,000 random starts (the issue's case), 200 steps. Each pair runs side by side, alternately,
several times; the CPU seconds of the fastest run of each are compared (the machine is shared: ratios,
not seconds). Each floor's end points are checked against the reduction's (the same rule: the same bits
for every path that stayed in the window). Then ``--jobs 2`` against one job: the same arrays, and the
speed-up.

    python bench/bench_many_starts.py [--quick] [--repeats N] [RULE ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from trajectories.compute.basins import reduce_paths
from trajectories.compute.starts import Random
from trajectories.core.optimizers import build
from trajectories.core.portable import power
from trajectories.surfaces.catalogue import get_surface

SURFACE = get_surface("himmelblau")
Loop = Callable[[np.ndarray, int], np.ndarray]


def floor_sgd(lr: float) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        for _ in range(steps):
            p -= lr * SURFACE.grad(p)
        return p
    return loop


def floor_momentum(lr: float, mu: float) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        b = None
        for _ in range(steps):
            g = SURFACE.grad(p)
            if b is None:
                b = g.copy()
            else:
                b *= mu
                b += g
            p -= lr * b
        return p
    return loop


def floor_ema_momentum(lr: float, beta: float) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        v = np.zeros_like(p)
        for _ in range(steps):
            v *= beta
            v += (1 - beta) * SURFACE.grad(p)
            p -= lr * v
        return p
    return loop


def floor_adagrad(lr: float, eps: float = 1e-10) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        s = np.zeros_like(p)
        for _ in range(steps):
            g = SURFACE.grad(p)
            s += g * g
            p -= lr * (g / (np.sqrt(s) + eps))
        return p
    return loop


def floor_adadelta(lr: float, rho: float = 0.9, eps: float = 1e-6) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        s, u = np.zeros_like(p), np.zeros_like(p)
        for _ in range(steps):
            g = SURFACE.grad(p)
            s *= rho
            s += (1 - rho) * g * g
            d = np.sqrt(u + eps) / np.sqrt(s + eps) * g
            u *= rho
            u += (1 - rho) * d * d
            p -= lr * d
        return p
    return loop


def floor_rmsprop(lr: float, alpha: float = 0.99, eps: float = 1e-8) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        s = np.zeros_like(p)
        for _ in range(steps):
            g = SURFACE.grad(p)
            s *= alpha
            s += (1 - alpha) * g * g
            p -= lr * (g / (np.sqrt(s) + eps))
        return p
    return loop


def floor_adam(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, decoupled: float = 0.0) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        m, v = np.zeros_like(p), np.zeros_like(p)
        for t in range(1, steps + 1):
            g = SURFACE.grad(p)
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            d = (m / (1 - power(b1, t))) / (np.sqrt(v) / np.sqrt(1 - power(b2, t)) + eps)
            if decoupled:
                d += decoupled * p  # AdamW: the decay beside Adam's step
            p -= lr * d
        return p
    return loop


def floor_adamax(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        m, u = np.zeros_like(p), np.zeros_like(p)
        for t in range(1, steps + 1):
            g = SURFACE.grad(p)
            m *= b1
            m += (1 - b1) * g
            u = np.maximum(b2 * u, np.abs(g) + eps)
            p -= lr * (m / ((1 - power(b1, t)) * u))
        return p
    return loop


def floor_nadam(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, psi: float = 4e-3) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        m, v, product = np.zeros_like(p), np.zeros_like(p), 1.0
        for t in range(1, steps + 1):
            g = SURFACE.grad(p)
            now = b1 * (1 - 0.5 * power(0.96, t * psi))
            later = b1 * (1 - 0.5 * power(0.96, (t + 1) * psi))
            product *= now
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            denom = np.sqrt(v / (1 - power(b2, t))) + eps
            p -= lr * ((1 - now) / (1 - product) * g / denom + later / (1 - product * later) * m / denom)
        return p
    return loop


def floor_radam(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Loop:
    rho_inf = 2 / (1 - b2) - 1

    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        m, v = np.zeros_like(p), np.zeros_like(p)
        for t in range(1, steps + 1):
            g = SURFACE.grad(p)
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            c2 = 1 - power(b2, t)
            m_hat = m / (1 - power(b1, t))
            rho = rho_inf - 2 * t * power(b2, t) / c2
            if rho > 5:
                r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
                p -= lr * (m_hat * (np.sqrt(c2) / (np.sqrt(v) + eps)) * r)
            else:
                p -= lr * m_hat
        return p
    return loop


def floor_lion(lr: float, b1: float = 0.9, b2: float = 0.99) -> Loop:
    def loop(p: np.ndarray, steps: int) -> np.ndarray:
        m = np.zeros_like(p)
        for _ in range(steps):
            g = SURFACE.grad(p)
            p -= lr * np.sign(b1 * m + (1 - b1) * g)
            m *= b2
            m += (1 - b2) * g
        return p
    return loop


RULES: dict[str, tuple[str, dict, Loop]] = {
    "sgd": ("sgd", {"lr": 0.01}, floor_sgd(0.01)),
    "sgd momentum": ("sgd", {"lr": 0.002, "momentum": 0.9}, floor_momentum(0.002, 0.9)),
    "ema_momentum": ("ema_momentum", {"lr": 0.02, "beta": 0.9}, floor_ema_momentum(0.02, 0.9)),
    "adagrad": ("adagrad", {"lr": 0.5}, floor_adagrad(0.5)),
    "adadelta": ("adadelta", {"lr": 1.0}, floor_adadelta(1.0)),
    "rmsprop": ("rmsprop", {"lr": 0.05}, floor_rmsprop(0.05)),
    "adam": ("adam", {"lr": 0.1}, floor_adam(0.1)),
    "adamw": ("adamw", {"lr": 0.1}, floor_adam(0.1, decoupled=0.01)),
    "adamax": ("adamax", {"lr": 0.1}, floor_adamax(0.1)),
    "nadam": ("nadam", {"lr": 0.1}, floor_nadam(0.1)),
    "radam": ("radam", {"lr": 0.002}, floor_radam(0.002)),
    "lion": ("lion", {"lr": 0.02}, floor_lion(0.02)),
}


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """``(CPU seconds, result)`` of ``action()``."""
    began = time.process_time()
    result = action()
    return time.process_time() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 starts, 100 steps, 2 repeats")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each, alternately (the fastest counts)")
    parser.add_argument("rules", nargs="*", help=f"rules (default: all of {', '.join(RULES)})")
    args = parser.parse_args()
    count, steps, repeats = (10_000, 100, 2) if args.quick else (40_000, 200, args.repeats)
    np.seterr(all="ignore")  # paths that leave the window overflow in the plain loops
    starts = Random(count, seed=1).points(SURFACE.window)
    names = args.rules or list(RULES)
    print(f"{count:,} starts × {steps} steps on Himmelblau; CPU seconds, fastest of {repeats}")
    print(f"{'rule':<14}{'numpy loop s':>13}{'reduce_paths s':>16}{'ratio':>8}  same end points  converged")
    worst = (0.0, "")
    for name in names:
        rule, params, floor = RULES[name]
        times: dict[str, list[float]] = {"floor": [], "ours": []}
        for _ in range(repeats):
            seconds, plain = timed(lambda floor=floor: floor(starts.copy(), steps))
            times["floor"].append(seconds)
            seconds, found = timed(lambda rule=rule, params=params: reduce_paths(SURFACE, build(rule, **params),
                                                                                 starts, steps))
            times["ours"].append(seconds)
        stayed = found.diverged_step < 0
        same = bool(np.array_equal(found.final[stayed], plain[stayed]))
        ratio = min(times["ours"]) / min(times["floor"])
        worst = max(worst, (ratio, name))
        converged = int(np.count_nonzero(found.converged_to >= 0))
        print(f"{name:<14}{min(times['floor']):>13.3f}{min(times['ours']):>16.3f}{ratio:>8.2f}  {same!s:<16} "
              f"{converged:,} of {count:,}", flush=True)
    print(f"goal: every rule ≤ 1.5× its numpy loop: largest {worst[0]:.2f} ({worst[1]}) — "
          f"{'met' if worst[0] <= 1.5 else 'NOT met'}")
    rule, params, _ = RULES["adam"]
    wall: dict[int, float] = {}
    arrays = {}
    for jobs in (1, 2):
        began = time.perf_counter()
        arrays[jobs] = reduce_paths(SURFACE, build(rule, **params), starts, steps, jobs=jobs)
        wall[jobs] = time.perf_counter() - began
    same_jobs = all(np.array_equal(getattr(arrays[1], key), getattr(arrays[2], key))
                    for key in ("final", "diverged_step", "converged_to", "converged_step"))
    print(f"adam with --jobs 2: {wall[1] / wall[2]:.2f}× faster than one job (wall clock), the same arrays: "
          f"{same_jobs}")


if __name__ == "__main__":
    main()
