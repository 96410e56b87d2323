r"""Racer colours: the palettes, and how far apart colours look, colour-blind viewers included (numpy only).

Distances are CIEDE2000 colour differences :math:`\Delta E_{00}` (Sharma, Wu and Dalal 2005) between
sRGB colours in CIELAB (D65), optionally after simulating a colour-vision deficiency with the matrices of
Machado, Oliveira and Fernandes (2009, severity 1), applied to linear RGB. A :math:`\Delta E_{00}` of
about 2 is barely noticeable; lines of different colours are told apart easily above about 15.

>>> round(ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)), 4)  # Sharma et al., pair 1
2.0425
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from ..errors import SceneError

# Okabe & Ito (2008), "Color Universal Design", in an order that keeps the first colours farthest apart
# under deuteranopia and protanopia: the default racers' colours on light backgrounds.
OKABE_ITO_LIGHT = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
# On dark backgrounds black disappears and dark blue is dim: sky blue, yellow and white take their places.
OKABE_ITO_DARK = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#FFFFFF", "#D55E00")
# The original article's colours (figure 7's five racers; figures 1 and 2 draw red paths).
ARTICLE = ("#F2112D", "#F06E1E", "#EED82A", "#A5EC37", "#54EA43")
PALETTES = {"article": ARTICLE}
# For an ordered parameter (a sweep of learning rates): colours along a path through these, from dark to light,
# lightness rising all the way (so that order shows in grey, and to colour-blind eyes); dark backgrounds start
# lighter. ORDERED_STOPS holds each path at 33 stops equally far apart in CIEDE2000, as :func:`ordered_stops`
# computes them (tests/test_frame_check.py checks it); a palette of n colours takes n of them evenly.
ORDERED_ANCHORS = {"light": ("#2D0B59", "#3A4CB0", "#1E8FA0", "#3FB26A", "#B5C42B"),
                   "dark": ("#5E3FBE", "#2F7FD0", "#21AE9A", "#8DCC4E", "#F4E04A")}
ORDERED_STOPS = {
    "light": (
        "#2D0B59", "#311867", "#342376", "#362D84", "#383791", "#39409F", "#3A49AC", "#3B53AF", "#3B5CAD",
        "#3A64AB", "#386CA9", "#3673A7", "#3379A6", "#307FA4", "#2C84A3", "#2789A2", "#208EA0", "#25929C",
        "#2B9597", "#309893", "#349B8E", "#379F88", "#3AA382", "#3CA77B", "#3EAC73", "#3FB26A", "#58B563",
        "#6BB75C", "#7CBA54", "#8BBC4C", "#9ABF43", "#A7C138", "#B5C42B",
    ),
    "dark": (
        "#5E3FBE", "#5A4BC1", "#5655C4", "#515EC6", "#4B66C9", "#456ECB", "#3D75CD", "#337DCF", "#3284CB",
        "#358AC3", "#358FBE", "#3594B9", "#3598B4", "#339BB0", "#329FAC", "#2FA2A8", "#2CA6A3", "#27AA9F",
        "#22AE9A", "#38B193", "#48B48D", "#56B785", "#62BA7D", "#6DBE73", "#78C269", "#83C75D", "#8DCC4E",
        "#A1D04D", "#B3D44D", "#C4D74C", "#D5DA4B", "#E4DD4B", "#F4E04A",
    ),
}

MACHADO_2009 = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}  # fmt: skip
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(color: str) -> tuple[float, float, float]:
    """``"#RRGGBB"`` as sRGB in [0, 1]."""
    text = color.lstrip("#")
    if len(text) != 6:
        raise SceneError(f"expected a colour as #RRGGBB, got {color!r}")
    return tuple(int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_lab(color: str, deficiency: str | None = None) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour, as seen with ``deficiency`` (a key of :data:`MACHADO_2009`) or not."""
    linear = _linear(np.array(hex_to_rgb(color)))
    if deficiency is not None:
        linear = np.clip(np.array(MACHADO_2009[deficiency]) @ linear, 0.0, 1.0)
    xyz = (_SRGB_TO_XYZ @ linear) / _WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return (116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2]))


def ciede2000(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    r"""The CIEDE2000 difference :math:`\Delta E_{00}` of two CIELAB colours (:math:`k_L = k_C = k_H = 1`)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_mean = h1p + h2p
    if c1p * c2p:
        h_mean = (h_mean + (360 if h_mean < 360 else -360)) / 2 if abs(h1p - h2p) > 180 else h_mean / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc, sh = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    rt = -math.sin(math.radians(2 * rotation)) * rc
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def distance(color1: str, color2: str, deficiency: str | None = None) -> float:
    """How different two sRGB colours look, as :math:`\\Delta E_{00}`, with ``deficiency`` simulated."""
    return ciede2000(to_lab(color1, deficiency), to_lab(color2, deficiency))


def closest_pair(colors: Sequence[str], deficiency: str | None = None) -> tuple[float, str, str]:
    """The smallest difference between two of ``colors`` and the pair that has it."""
    pairs = itertools.combinations(colors, 2)
    return min(((distance(a, b, deficiency), a, b) for a, b in pairs), default=(math.inf, "", ""))


def luminance(color: str) -> float:
    """The WCAG relative luminance of an sRGB colour."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(color1: str, color2: str) -> float:
    """The WCAG contrast ratio of two sRGB colours, 1 to 21."""
    high, low = sorted((luminance(color1), luminance(color2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: str, background: str, toward: str, minimum: float = 3.0) -> str:
    """``color``, mixed in tenths towards ``toward`` (the text colour) until its contrast with
    ``background`` is at least ``minimum`` (WCAG's for large text and graphics): text in a racer's colour
    that can be read. Plain arithmetic on 8-bit channels, the same on every machine.

    >>> readable("#B5C42B", "#FFFFFF", "#222222"), readable("#0072B2", "#FFFFFF", "#222222")
    ('#899328', '#0072B2')
    """
    start, end = hex_to_rgb(color), hex_to_rgb(toward)
    for tenth in range(11):
        mixed = "#" + "".join(f"{round(255 * (a + tenth / 10 * (b - a))):02X}" for a, b in zip(start, end, strict=True))
        if contrast(mixed, background) >= minimum:
            return mixed
    return toward


def from_lab(lab: Sequence[float]) -> str:
    """The sRGB colour ``"#RRGGBB"`` of a CIELAB (D65) colour, clipped into the sRGB gamut."""
    lightness, a, b = lab
    fy = (lightness + 16) / 116
    f = np.array([fy + a / 500, fy, fy - b / 200])
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * _WHITE_D65
    linear = np.clip(np.linalg.solve(_SRGB_TO_XYZ, xyz), 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(255 * float(v)):02X}" for v in srgb)


def ordered_stops(anchors: Sequence[str], count: int, fineness: int = 400) -> tuple[str, ...]:
    """``count`` colours along the path through ``anchors`` (straight in CIELAB between each two), the first
    and last anchors included, equally far apart along it in CIEDE2000: a perceptually even ordered palette."""
    labs = [np.array(to_lab(color)) for color in anchors]
    fine = [a + t * (b - a) for a, b in itertools.pairwise(labs) for t in np.arange(fineness) / fineness] + [labs[-1]]
    along = np.concatenate([[0.0], np.cumsum([ciede2000(p, q) for p, q in itertools.pairwise(fine)])])
    return tuple(from_lab(fine[int(np.argmin(np.abs(along - target)))]) for target in np.linspace(0, along[-1], count))


def ordered(count: int, dark: bool = False) -> tuple[str, ...]:
    """``count`` colours of the ordered palette (for a background that is ``dark`` or light), dark to light,
    equally far apart along it: each between two of its :data:`ORDERED_STOPS` (about 3.4 ΔE00 apart), mixed
    in sRGB with plain arithmetic (the same on every machine).

    >>> ordered(3), ordered(1)
    (('#2D0B59', '#208EA0', '#B5C42B'), ('#208EA0',))
    """
    stops = ORDERED_STOPS["dark" if dark else "light"]
    last = len(stops) - 1
    places = [last / 2] if count == 1 else [k * last / (count - 1) for k in range(count)]
    found = []
    for place in places:
        i = min(int(place), last - 1)
        t = place - i
        a, b = hex_to_rgb(stops[i]), hex_to_rgb(stops[i + 1])
        found.append("#" + "".join(f"{round(255 * (x + t * (y - x))):02X}" for x, y in zip(a, b, strict=True)))
    return tuple(found)
