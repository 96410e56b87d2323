"""What our GIF frames store (:mod:`trajectories.writers.gif_frames`): every way decodes to the frame,
gifsicle's runs against a loop over the pixels, the palette's order and small LZW codes read back from the
file, the fallback without Pillow's coder, and the size against ``gifsicle -O3`` itself."""

from __future__ import annotations

import io
import shutil
import subprocess

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from trajectories.writers import gif as gif_module
from trajectories.writers.gif import encode_to_bytes
from trajectories.writers.gif_frames import code_size, mixed_runs, palette_order, ways
from trajectories.writers.quantize import TRANSPARENT

from .browser import unavailable
from .test_encode import moving_square_frames


def images(data: bytes) -> list[dict]:
    """Each image block of a GIF: its rectangle, LZW code size, and transparent index (or ``None``)."""
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    found, transparent = [], None
    while data[pos] != 0x3B:
        if data[pos] == 0x21:  # an extension: the graphic control one holds the transparent index
            if data[pos + 1] == 0xF9:
                transparent = data[pos + 6] if data[pos + 3] & 1 else None
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
            continue
        x, y, w, h = (int.from_bytes(data[pos + 1 + 2 * i: pos + 3 + 2 * i], "little") for i in range(4))
        if data[pos + 9] & 0x80:
            pos += 3 << ((data[pos + 9] & 7) + 1)
        pos += 10
        found.append({"box": (x, y, w, h), "code_size": data[pos], "transparent": transparent})
        pos += 1
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
        transparent = None
    return found


def runs_by_hand(flat: np.ndarray, same: np.ndarray) -> np.ndarray:
    """gifsicle's rule, one pixel at a time: a run of unchanged pixels holding two colours is hidden."""
    hidden = np.zeros(len(flat), dtype=bool)
    start = 0
    while start < len(flat):
        if not same[start]:
            start += 1
            continue
        end = start
        while end < len(flat) and same[end]:
            end += 1
        hidden[start:end] = len(set(flat[start:end].tolist())) > 1
        start = end
    return hidden


@pytest.mark.parametrize("seed", range(6))
def test_gifsicles_runs_are_the_pixel_by_pixel_rule(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 400))
    flat = np.repeat(rng.integers(0, 4, size), rng.integers(1, 6, size))[:size].astype(np.uint8)
    same = np.repeat(rng.random(size) < 0.6, rng.integers(1, 9, size))[:size]
    assert (mixed_runs(flat, same) == runs_by_hand(flat, same)).all()
    assert not mixed_runs(flat, np.zeros(size, dtype=bool)).any()


@pytest.mark.parametrize("seed", range(4))
def test_every_way_decodes_to_the_frame_and_knows_its_indices(seed):
    rng = np.random.default_rng(seed)
    before = rng.integers(0, 5, (13, 17)).astype(np.uint8)
    after = np.where(rng.random(before.shape) < 0.3, rng.integers(0, 5, before.shape), before).astype(np.uint8)
    found = ways(after, after == before)
    assert len(found) == 2
    for way in found:
        assert (np.where(way.pixels == TRANSPARENT, before, way.pixels) == after).all()
        assert (way.held == np.isin(np.arange(256), way.pixels)).all()
    assert ((found[0].pixels == TRANSPARENT) == (after == before)).all()  # one hides every unchanged pixel
    assert ((found[1].pixels == TRANSPARENT) == runs_by_hand(after.ravel(), (after == before).ravel()).reshape(
        after.shape)).all()  # the other, the runs of two colours


def test_palette_order_puts_the_colours_more_frames_need_first():
    lookup = palette_order(np.array([1, 5, 0, 5, 2]))
    assert lookup[:5].tolist() == [3, 0, 4, 1, 2]  # ties keep palette order


@pytest.mark.parametrize(("colours", "transparent", "slot", "bits"), [
    ([0, 1, 2, 5], True, 3, 3), ([0, 1, 2, 3], True, 4, 3), ([0], True, 1, 2), ([0, 1, 2, 3], False, 4, 2),
    ([200], False, 0, 8)])
def test_the_transparent_index_is_the_lowest_free_one_and_codes_cover_every_index(colours, transparent, slot, bits):
    present = np.zeros(256, dtype=bool)
    present[colours] = True
    present[TRANSPARENT] = transparent
    assert code_size(present, np.arange(256, dtype=np.uint8)) == (slot, bits)


def test_frames_of_few_colours_get_small_codes_and_decode_to_the_frames():
    frames = moving_square_frames(8)
    data = encode_to_bytes(frames, [5] * 8, reserved=[(213, 94, 0)])
    found = images(data)
    assert len(found) == 8 and found[0]["box"] == (0, 0, 64, 48) and found[0]["code_size"] == 8
    # after the first, each frame is where the square was and is (6 + 6 columns, 6 rows), of a few colours
    assert all(image["box"][2:] == (12, 6) for image in found[1:])
    assert all(image["code_size"] <= 6 for image in found[1:])
    decoded = iio.imread(data, extension=".gif", index=None)
    first = decoded[0]
    for frame, got in zip(frames, decoded, strict=True):
        assert np.abs(got.astype(int) - frame[..., :3]).max() < 40
        assert (got[20:26, :5] == first[20:26, :5]).all()  # the background left of the square never changed


def test_a_pillow_whose_coder_takes_no_code_size_gives_the_same_pictures(monkeypatch):
    frames = moving_square_frames(5)
    fast = encode_to_bytes(frames, [5] * 5, reserved=[])
    coder = Image.core.gif_encoder

    def without_code_size(mode, rawmode, *more):
        if more:
            raise TypeError("gif_encoder() takes 2 arguments")
        return coder(mode, rawmode)

    monkeypatch.setattr(Image.core, "gif_encoder", without_code_size)
    slow = encode_to_bytes(frames, [5] * 5, reserved=[])
    assert {image["code_size"] for image in images(slow)} == {8}
    assert (iio.imread(fast, extension=".gif", index=None) == iio.imread(slow, extension=".gif", index=None)).all()


def test_holding_fewer_frames_changes_the_bytes_not_the_pictures(monkeypatch):
    frames = moving_square_frames(6)
    held = encode_to_bytes(frames, [5] * 6, reserved=[])
    monkeypatch.setattr(gif_module, "HOLD_BYTES", 1)  # the order from the first frame alone
    streamed = encode_to_bytes(frames, [5] * 6, reserved=[])
    assert (iio.imread(held, extension=".gif", index=None) == iio.imread(streamed, extension=".gif", index=None)).all()


def test_as_small_as_gifsicle_o3(tmp_path):
    """A race at a third of its size against gifsicle's lossless optimiser on our own file: the same
    frames, and ours at most 3 % larger (the whole gallery: bench/bench_gif.py)."""
    if shutil.which("gifsicle") is None:
        unavailable("gifsicle not installed (apt-get install gifsicle)")
    from trajectories.scene import builtin_scenes

    scene = builtin_scenes()["himmelblau"].with_options(size=(320, 240), frames=40)
    ours = tmp_path / "ours.gif"
    scene.render(ours)
    optimised = tmp_path / "o3.gif"
    subprocess.run(["gifsicle", "-O3", str(ours), "-o", str(optimised)], check=True)
    assert ours.stat().st_size <= 1.03 * optimised.stat().st_size
    ours_frames = iio.imread(ours, index=None)
    assert ours_frames.shape[0] == 40 and (ours_frames == iio.imread(optimised, index=None)).all()
    with Image.open(io.BytesIO(ours.read_bytes())) as image:
        assert image.n_frames == 40
