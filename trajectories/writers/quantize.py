"""One palette for a whole animation, and frames mapped to it (GIF, APNG, WebP).

- **One palette**, chosen once from frames spread over the animation (median cut) plus exact slots for the
  colours that must not drift (the racers', text, background). Every frame is mapped to it without
  dithering, so colours never flicker and a red marker stays red.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

TRANSPARENT = 255  # palette index reserved for "unchanged" pixels; colours use 0..254


def build_palette(samples: list[np.ndarray], reserved: list[tuple[int, int, int]], size: int = 255) -> np.ndarray:
    """``(n, 3)`` uint8 colours, ``n <= size``: the ``reserved`` colours exactly, then a median cut of
    ``samples`` (frames stacked) for the rest."""
    exact = list(dict.fromkeys(tuple(int(v) for v in c) for c in reserved))[:size]
    if samples[0].shape[0] * samples[0].shape[1] > 200_000:  # a quarter of the pixels is plenty for
        samples = [frame[::2, ::2] for frame in samples]  # the median cut, at a third of the time
    stacked = Image.fromarray(np.ascontiguousarray(np.concatenate(samples, axis=0)[..., :3]))
    cut = stacked.quantize(size - len(exact), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = np.unique(np.asarray(cut))
    cut_colors = np.array(cut.getpalette()[: 3 * (int(used.max()) + 1)], dtype=np.uint8).reshape(-1, 3)[used]
    colors = exact + [tuple(int(v) for v in c) for c in cut_colors if tuple(int(v) for v in c) not in exact]
    return np.array(colors[:size], dtype=np.uint8)


def _keys(rgb: np.ndarray) -> np.ndarray:
    """One integer per colour, ``r·2¹⁶ + g·2⁸ + b``."""
    keys = rgb[..., 0].astype(np.uint32)
    keys <<= 8
    keys |= rgb[..., 1]
    keys <<= 8
    keys |= rgb[..., 2]
    return keys


class PaletteMapper:
    """Maps RGB pixels to palette indices (no dithering: the same pixel, the same index).

    A pixel of one of the ``exact`` colours (the reserved ones: racers, text, background) gets that colour's
    own index; the others get Pillow's nearest palette colour. (Pillow alone matches a small box of colours
    at a time, so it can map a colour the palette holds, such as the reserved white background, to a
    neighbour like (252, 252, 251).) The median cut's colours stay with Pillow's rule: mapping them exactly
    too splits shaded 3-D surfaces into more distinct runs, and their GIFs grow by 15–35 %.
    """

    def __init__(self, palette: np.ndarray, exact: Sequence[tuple[int, int, int]] = ()) -> None:
        self.palette = palette
        self._image = Image.new("P", (1, 1))
        self._image.putpalette(palette.reshape(-1).tolist())
        keys = _keys(palette)
        wanted = _keys(np.array(list(exact), dtype=np.uint8).reshape(-1, 3))
        # the exact colours the palette holds (build_palette keeps at most ``size``), each with its first index
        self._exact_keys = np.intersect1d(wanted, keys)
        self._exact_indices = np.array([int(np.flatnonzero(keys == k)[0]) for k in self._exact_keys], dtype=np.uint8)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """Indices for ``(h, w, 3 or 4)`` uint8 pixels (alpha, if any, is ignored: frames are opaque)."""
        rgb = np.ascontiguousarray(pixels[..., :3])
        indices = np.asarray(Image.fromarray(rgb).quantize(palette=self._image, dither=Image.Dither.NONE))
        if self._exact_keys.size:
            keys = _keys(rgb)
            indices = indices.copy()
            for key, index in zip(self._exact_keys.tolist(), self._exact_indices.tolist(), strict=True):
                indices[keys == key] = index
        return indices

    def to_rgb(self, indices: np.ndarray) -> np.ndarray:
        return self.palette[indices]
