"""What a GIF frame stores, and its bytes: the choices that make our GIFs as small as ``gifsicle -O3``'s.

A frame after the first is the rectangle whose palette indices changed. Its *unchanged* pixels may be
stored as the transparent index (the previous frame shows through) or as their own colour: both decode to
the same picture, but LZW finds different runs. :func:`ways` makes two of the three that ``gifsicle -O3``
tries: every unchanged pixel transparent, and gifsicle's heuristic, only the runs of unchanged pixels that
hold two colours or more (a one-colour run keeps its colour, where it may continue a run of that colour).
The third, no pixel transparent, was the smallest for 4 of about 1,400 gallery frames, 0.13 % smaller
there (3-D frames, where most pixels change), and 3 to 36 times larger elsewhere: it is not tried.

LZW starts with codes one bit wider than the frame's *code size*, which must cover every index the frame
holds. So the global palette is put in the order of how many frames need each colour (:func:`palette_order`,
gifsicle's rule), the transparent index of a frame is the lowest index it leaves unused, and a frame of a
moving head and a counter, a few dozen colours, gets codes of 6 or 7 bits instead of 9. (A local colour
table of a frame's own colours, renumbered from 0, would shorten codes further only where the order does
not serve a frame; over the gallery it saved 0.2 % of one file, at the cost of a second LZW pass.)

Both ways are compressed and the smaller kept, as gifsicle does: LZW (Pillow's, in C) costs less than
choosing by a cheaper estimate (the fewest runs chose 1-3 % larger frames).

Pillow's public GIF writer always uses a code size of 8 and takes no other, so the LZW data comes from its
C coder directly (``PIL.Image.core.gif_encoder``, which takes the code size); should a Pillow release drop
it, :func:`lzw` falls back to the public ``GifImagePlugin.getdata``, at code size 8 (larger files, the
same pictures).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from PIL import GifImagePlugin, Image

from .quantize import TRANSPARENT

DISPOSAL_LEAVE = 1 << 2
"""Graphic control: disposal method 1, "leave in place" (the next frame is drawn over this one)."""


@dataclass(frozen=True)
class Way:
    """One way to store a frame: its ``pixels`` (palette indices, :data:`TRANSPARENT` where the previous
    frame shows through) and which of the 256 indices they hold (``held``)."""

    pixels: np.ndarray
    held: np.ndarray


def held(values: np.ndarray) -> np.ndarray:
    """Which of the 256 indices ``values`` hold."""
    found = np.zeros(256, dtype=bool)
    found[values.reshape(-1)] = True
    return found


def mixed_runs(flat: np.ndarray, same: np.ndarray) -> np.ndarray:
    """The pixels of the runs of unchanged pixels (``same``, in file order: row by row, a run may go on over
    the next row) that hold two colours or more: gifsicle's choice of what to make transparent."""
    first, last = same.copy(), same.copy()
    first[1:] &= ~same[:-1]
    last[:-1] &= ~same[1:]
    starts, ends = np.flatnonzero(first), np.flatnonzero(last) + 1  # each run of unchanged pixels: [start, end)
    if not len(starts):
        return np.zeros(len(flat), dtype=bool)
    turn = np.zeros(len(flat), dtype=bool)  # a pixel of a different colour than the one before, in its run
    turn[1:] = same[1:] & same[:-1] & (flat[1:] != flat[:-1])
    mixed = np.flatnonzero(np.logical_or.reduceat(turn, starts))
    bounds = np.empty(2 * len(mixed), dtype=np.int64)
    bounds[0::2], bounds[1::2] = starts[mixed], ends[mixed]
    lengths = np.diff(bounds, prepend=0, append=len(flat))
    return np.repeat(np.resize(np.array([False, True]), len(lengths)), lengths)


def ways(indices: np.ndarray, unchanged: np.ndarray) -> list[Way]:
    """The ways to store a rectangle ``indices`` whose ``unchanged`` pixels show the previous frame, each
    decoding to the same picture: all of them transparent, or gifsicle's runs."""
    flat, same = indices.reshape(-1), unchanged.reshape(-1)
    hidden = mixed_runs(flat, same)
    kind = same.astype(np.uint16)  # which colours are held by changed, unchanged kept, unchanged hidden pixels
    kind += hidden
    kind <<= 8
    kind += flat
    found = np.zeros(768, dtype=bool)
    found[kind] = True
    changed, kept, covered = found[:256], found[256:512], found[512:]
    every = flat.copy()
    every[same] = TRANSPARENT
    every_held = changed.copy()
    every_held[TRANSPARENT] = bool(same.any())
    runs = flat.copy()
    runs[hidden] = TRANSPARENT
    runs_held = changed | kept
    runs_held[TRANSPARENT] = bool(covered.any())
    shape = indices.shape
    return [Way(every.reshape(shape), every_held), Way(runs.reshape(shape), runs_held)]


def palette_order(uses: np.ndarray) -> np.ndarray:
    """``lookup``: where each palette index goes in the file, the colours that the most frames need first
    (``uses``; ties in palette order)."""
    order = np.argsort(-np.asarray(uses), kind="stable")
    lookup = np.zeros(256, dtype=np.uint8)
    lookup[order] = np.arange(len(order), dtype=np.uint8)
    return lookup


def code_size(present: np.ndarray, lookup: np.ndarray) -> tuple[int, int]:
    """For a way holding the indices ``present``, through the file's palette order ``lookup``: its
    transparent index (the lowest index none of its colours takes) and its LZW code size."""
    taken = np.zeros(257, dtype=bool)
    colours = lookup[np.flatnonzero(present[:TRANSPARENT])]
    taken[colours] = True
    slot = int(np.argmin(taken))
    highest = max(int(colours.max(initial=0)), slot if present[TRANSPARENT] else 0)
    return slot, max(2, highest.bit_length())


def lzw(pixels: np.ndarray, bits: int) -> bytes:
    """GIF image data of ``pixels`` (every value below ``2**bits``): the code size byte, the LZW codes in
    sub-blocks and the terminator (at code size 8 whatever ``bits``, with a Pillow that lacks its coder)."""
    image = Image.fromarray(np.ascontiguousarray(pixels), mode="P")
    try:
        encoder = Image.core.gif_encoder("P", "P", bits, 0)
    except (AttributeError, TypeError):  # a Pillow without it: its public writer, code size 8 only
        return b"".join(GifImagePlugin.getdata(image)[1:])  # what follows the image descriptor
    encoder.setimage(image.im, (0, 0, *image.size))
    chunks = [bytes([bits])]
    status = 0
    while not status:
        _, status, data = encoder.encode(1 << 16)
        chunks.append(data)
    if status < 0:
        raise OSError(f"GIF encoder error {status}")
    chunks.append(b"\0")
    return b"".join(chunks)


def frame_block(way: Way, offset: tuple[int, int], delay: int, lookup: np.ndarray) -> bytes:
    """One frame's bytes: graphic control (``delay``, disposal "leave in place", the transparent index when
    the way has one), image descriptor, and LZW data at the smallest code size that holds every index
    through the file's palette order ``lookup`` (palette index to file index)."""
    height, width = way.pixels.shape
    transparent = bool(way.held[TRANSPARENT])
    slot, bits = code_size(way.held, lookup)
    mapping = lookup.copy()
    mapping[TRANSPARENT] = slot
    control = b"!\xf9\x04" + struct.pack("<BHBB", DISPOSAL_LEAVE | transparent, delay, slot * transparent, 0)
    return control + b"," + struct.pack("<HHHHB", *offset, width, height, 0) + lzw(mapping[way.pixels], bits)
