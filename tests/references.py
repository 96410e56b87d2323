"""Reference computations written independently of the package (typed-in formulas, plain loops)."""

import math

import numpy as np


def peaks(x, y):
    """MATLAB's peaks, typed from ARTICLE.md."""
    return (3 * (1 - x) ** 2 * math.exp(-(x**2) - (y + 1) ** 2)
            - 10 * (x / 5 - x**3 - y**5) * math.exp(-(x**2) - y**2)
            - math.exp(-((x + 1) ** 2) - y**2) / 3)


def numeric_gradient(f, x, y, h=1e-6):
    return np.array([(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)])


def gradient_descent(f, start, lr, steps):
    """Plain GD with a central-difference gradient: positions (steps + 1, 2)."""
    theta = np.array(start, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * numeric_gradient(f, *theta)
        path.append(theta.copy())
    return np.array(path)


def tf1_reference(rule, lr=0.02, steps=180, start=(1.0, -0.001)):
    """Figure 7: x² − y² (gradient (2x, −2y)) with the update equations of ARTICLE.md (TensorFlow 1)."""
    theta = np.array(start)
    acc, ms, m, v = np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2)
    path = [theta.copy()]
    for t in range(1, steps + 1):
        g = np.array([2 * theta[0], -2 * theta[1]])
        if rule == "gd":
            theta = theta - lr * g
        elif rule == "momentum":
            acc = 0.9 * acc + g
            theta = theta - lr * acc
        elif rule == "nesterov":
            acc = 0.9 * acc + g
            theta = theta - lr * (g + 0.9 * acc)
        elif rule == "rmsprop":
            ms = 0.9 * ms + 0.1 * g * g
            theta = theta - lr * g / np.sqrt(ms + 1e-10)
        elif rule == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            theta = theta - lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8)
        path.append(theta.copy())
    return np.array(path)
