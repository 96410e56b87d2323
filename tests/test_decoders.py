"""Every built-in scene, as GIF, APNG and WebP, decodes to our own frames in the decoders people use:
Chromium (WebCodecs ``ImageDecoder``), ImageMagick (``convert -coalesce``), ffmpeg and Pillow.

Our GIFs store each frame after the first as the rectangle that changed, unchanged pixels transparent
("leave in place" disposal), and Pillow's APNG and WebP encoders crop and blend frames in their own ways:
a decoder that mishandles disposal, blending, transparency or offsets shows garbage. Scenes are rendered
as the snapshot tests render them (200 px wide, four frames spread over the animation, no text; the same
files): the cropping is what is under test, and every scene draws its own kinds of change (moving heads,
a turning 3-D camera, a loss panel, a held end).
The reference is the frames the view drew, mapped to the animation's palette (what every paletted
format stores), and the time each one lasts.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from trajectories.scene import builtin_scenes
from trajectories.writers import WriteTarget, get_format

from . import decoders
from .browser import missing, unavailable
from .requirements import require_programs

SCENES = builtin_scenes()
MATRIX = {
    "pillow": ("gif", "apng", "webp"),
    "imagemagick": ("gif", "webp"),  # ImageMagick 6 reads only an APNG's first frame (as a PNG)
    "ffmpeg": ("gif", "apng"),  # ffmpeg 5.1 (Debian 12's) decodes no animated WebP ("image data not found")
    "chromium": ("gif", "apng", "webp"),
}
SUFFIX = {fmt: get_format(fmt).extension for fmt in dict.fromkeys(f for formats in MATRIX.values() for f in formats)}
"""The animated formats other programs read, with their files' suffixes from the format registry."""
TOOLS = {"imagemagick": ("convert", "identify"), "ffmpeg": ("ffmpeg",)}
CASES = [(decoder, fmt, name) for decoder, formats in MATRIX.items() for fmt in formats for name in SCENES]


@pytest.fixture(scope="session")
def animations(small_renders, tmp_path_factory):
    """``animations(name, fmt)`` -> (file, size, expected RGBA frames, their durations in ms): the GIF the
    snapshot tests render (tests/conftest.py's ``small_renders``), and the same frames and palette written
    as APNG and WebP by their writers."""
    folder = tmp_path_factory.mktemp("decoders")
    cache: dict[str, dict] = {}

    def get(name: str, fmt: str):
        if name not in cache:
            result, kept = small_renders(name)
            paths = {"gif": result.path}
            for other in (kind for kind in SUFFIX if kind != "gif"):
                paths[other] = folder / f"{name}{SUFFIX[other]}"
                with open(paths[other], "wb") as file:
                    target = WriteTarget(file, paths[other], result.size, 20, kept.mapper)
                    out = get_format(other).open(target)
                    for frame, delay in zip(kept.frames, kept.delays, strict=True):
                        out.add(frame, delay)
                    out.finish()
            opaque = np.full((*result.size[::-1], 1), 255, dtype=np.uint8)
            expected = [np.concatenate([kept.mapper.to_rgb(kept.mapper(f)), opaque], axis=-1) for f in kept.frames]
            cache[name] = {"paths": paths, "size": result.size, "expected": expected,
                           "durations": [10 * d for d in kept.delays]}
        entry = cache[name]
        return entry["paths"][fmt], entry["size"], entry["expected"], entry["durations"]

    return get


@pytest.fixture(scope="session")
def decoder_page(chromium, tmp_path_factory):
    """A blank page from a file (a secure context, which WebCodecs needs), for the whole session."""
    blank = tmp_path_factory.mktemp("page") / "blank.html"
    blank.write_text("<!DOCTYPE html><title>decoders</title>")
    page = chromium.new_page()
    page.open(blank)
    assert page.evaluate("typeof ImageDecoder") == "function"
    yield page
    page.close()


def test_the_matrix_covers_every_decoder_and_format():
    assert set(MATRIX) == {"pillow", "imagemagick", "ffmpeg", "chromium"}
    assert all(fmt in MATRIX["chromium"] and fmt in MATRIX["pillow"] for fmt in SUFFIX)
    assert len(CASES) == 10 * len(SCENES)


@pytest.mark.parametrize(("decoder", "fmt", "name"), CASES)
def test_every_builtin_scene_decodes_to_our_frames(decoder, fmt, name, animations, request):
    if decoder == "chromium" and missing():
        unavailable(missing())
    require_programs(*TOOLS.get(decoder, ()), install=f"apt-get install {decoder}")
    path, size, expected, durations = animations(name, fmt)
    if decoder == "chromium":
        page = request.getfixturevalue("decoder_page")
        # the page hashes its frames (SHA-256 of the RGBA bytes): equal hashes, equal frames; only when
        # they differ are the pixels carried back, to say where
        digests, got_durations = decoders.merge_repeats(*decoders.chromium(page, path, size, digests=True))
        want = decoders.merge_repeats([hashlib.sha256(e.tobytes()).hexdigest() for e in expected], durations)
        if (digests, got_durations) == want:
            return
        frames, got_durations = decoders.chromium(page, path, size)
    else:
        frames, got_durations = getattr(decoders, decoder)(path, size)
    assert all(frame.shape == (size[1], size[0], 4) for frame in frames)
    assert all((frame[..., 3] == 255).all() for frame in frames), "every pixel of every frame is opaque"
    want, want_durations = decoders.merge_repeats(expected, durations)
    got, got_durations = decoders.merge_repeats(frames, got_durations)
    assert len(got) == len(want), f"{len(got)} distinct frames, expected {len(want)}"
    for index, (a, b) in enumerate(zip(want, got, strict=True)):
        wrong = np.any(a != b, axis=-1)
        assert not wrong.any(), (
            f"frame {index}: {int(wrong.sum())} pixels differ (in rows {np.flatnonzero(wrong.any(1))[[0, -1]]},"
            f" columns {np.flatnonzero(wrong.any(0))[[0, -1]]}), by up to {int(np.abs(a.astype(int) - b).max())}"
        )
    if got_durations is not None:
        assert got_durations == want_durations
