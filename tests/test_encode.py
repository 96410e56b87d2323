"""The encoder: timing, the global palette, and the streamed GIF decoded back."""

import imageio.v3 as iio
import numpy as np
import pytest

from trajectories.pipeline.stages import frame_delays
from trajectories.writers import FrameWriter
from trajectories.writers.gif import GifWriter, encode_to_bytes
from trajectories.writers.quantize import PaletteMapper, build_palette

from .contracts import fake_format


@pytest.mark.parametrize(("fps", "expected"), [(20, 5), (10, 10), (25, 4), (50, 2)])
def test_fps_dividing_100_give_exact_constant_delays(fps, expected):
    assert frame_delays(30, fps, hold=0) == [expected] * 30


def test_other_fps_are_exact_on_average_and_hold_extends_the_last_frame():
    delays = frame_delays(30, 30, hold=0)
    assert set(delays) == {3, 4} and sum(delays) == 100  # 30 frames at 30 fps = exactly one second
    held = frame_delays(30, 20, hold=1.5)
    assert held[:-1] == [5] * 29 and held[-1] == 5 + 150


def moving_square_frames(count=6, size=(48, 64), color=(213, 94, 0)):
    """A smooth gradient background (many colours) with a small square moving right."""
    h, w = size
    background = np.zeros((h, w, 4), dtype=np.uint8)
    background[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    background[..., 1] = np.linspace(0, 255, h, dtype=np.uint8)[:, None]
    background[..., 2] = 128
    background[..., 3] = 255
    frames = []
    for i in range(count):
        frame = background.copy()
        frame[20:26, 5 + 6 * i : 11 + 6 * i, :3] = color
        frames.append(frame)
    return frames


def test_palette_keeps_reserved_colours_exactly():
    frames = moving_square_frames()
    palette = build_palette([frames[0], frames[-1]], [(213, 94, 0), (0, 114, 178)])
    assert len(palette) <= 255
    assert palette[0].tolist() == [213, 94, 0] and palette[1].tolist() == [0, 114, 178]
    assert len({tuple(c) for c in palette.tolist()}) == len(palette)  # no duplicates


def test_reserved_colours_map_to_themselves_even_beside_a_near_neighbour():
    """Pillow alone maps white to a close neighbour (252, 252, 251) when both are in the palette: the
    reserved colours (background, racers, text) must get their own index; other colours a near one."""
    rng = np.random.default_rng(5)
    reserved = [(255, 255, 255), (0, 114, 178), (213, 94, 0)]
    palette = np.concatenate([reserved, [[252, 252, 251]], rng.integers(0, 256, (200, 3))]).astype(np.uint8)
    palette = palette[np.sort(np.unique(palette, axis=0, return_index=True)[1])]  # no duplicates, order kept
    mapper = PaletteMapper(palette, exact=reserved)
    indices = mapper(np.array([reserved], dtype=np.uint8))
    assert mapper.to_rgb(indices)[0].tolist() == [list(c) for c in reserved]
    assert PaletteMapper(palette)(np.array([[reserved[0]]], dtype=np.uint8)).item() != 0  # Pillow's own rule
    # a colour that is not reserved gets a nearby palette colour, never the "unchanged" index
    others = rng.integers(0, 256, (1, 500, 3)).astype(np.uint8)
    found = mapper(others)
    assert found.max() < 255
    got = mapper.to_rgb(found).astype(int)
    nearest = np.abs(others[0, :, None, :].astype(int) - palette[None].astype(int)).sum(-1).min(-1)
    assert (np.abs(got[0] - others[0]).sum(-1) <= nearest + 24).all()


def test_gif_round_trip_keeps_frames_colours_timing_and_loop():
    frames = moving_square_frames()
    data = encode_to_bytes(frames, [5] * 5 + [105], reserved=[(213, 94, 0)])
    decoded = iio.imread(data, extension=".gif", index=None)
    assert decoded.shape == (6, 48, 64, 3)
    # every frame is the palette-mapped original: the crop/transparency scheme rebuilds it exactly
    mapper = PaletteMapper(build_palette([frames[0], frames[-1]], [(213, 94, 0)]))
    for frame, got in zip(frames, decoded, strict=True):
        assert np.array_equal(got, mapper.to_rgb(mapper(frame)))
        assert np.abs(got.astype(int) - frame[..., :3]).max() < 40  # and close to the original
    # the moving square keeps its exact colour (a reserved slot), in every frame
    for i, got in enumerate(decoded):
        assert got[22, 7 + 6 * i].tolist() == [213, 94, 0]
    durations = [iio.immeta(data, extension=".gif", index=i)["duration"] for i in range(6)]
    assert durations == [50] * 5 + [1050]
    assert iio.immeta(data, extension=".gif", index=0)["loop"] == 0


def test_identical_frames_lengthen_the_previous_one():
    frames = moving_square_frames(3)
    data = encode_to_bytes([frames[0], frames[1], frames[1], frames[2]], [5, 5, 7, 5], reserved=[])
    decoded = iio.imread(data, extension=".gif", index=None)
    assert len(decoded) == 3
    assert [iio.immeta(data, extension=".gif", index=i)["duration"] for i in range(3)] == [50, 120, 50]


def test_frames_after_the_first_store_only_the_changed_rectangle():
    frames = moving_square_frames(2)
    one = encode_to_bytes(frames[:1], [5], reserved=[])
    two = encode_to_bytes(frames, [5, 5], reserved=[])
    # the second frame changes a 6×12 rectangle: it costs a few dozen bytes, not a whole frame
    assert len(two) - len(one) < 200


class CountingWriter(FrameWriter):
    """A fake writer that only counts (the writer protocol's test double)."""

    def __init__(self, file, size, mapper):
        self.size, self.frames, self.delays = size, 0, []

    def add(self, frame, delay):
        assert frame.shape == (self.size[1], self.size[0], 4) and frame.dtype == np.uint8
        self.frames += 1
        self.delays.append(delay)

    def finish(self):
        CountingWriter.last = self


def test_writer_protocol_gets_every_frame_with_its_delay(tmp_path):
    from trajectories.scene import Scene

    scene = Scene("count", "sphere", ["sgd:lr=0.1"], steps=9, size=(160, 120), dpi=40, hold=0.5, fps=10)
    with fake_format(lambda target: CountingWriter(target.file, target.size, target.mapper)) as name:
        result = scene.render(tmp_path / "x.gif", format=name)
    assert result.frames == 10
    assert CountingWriter.last.frames == 10 and CountingWriter.last.delays == [10] * 9 + [60]


def test_gif_writer_header_is_a_looping_gif89a():
    import io

    frames = moving_square_frames(1)
    buffer = io.BytesIO()
    writer = GifWriter(buffer, (64, 48), PaletteMapper(build_palette(frames, [])))
    writer.add(frames[0], 5)
    writer.finish()
    data = buffer.getvalue()
    assert data[:6] == b"GIF89a" and data[-1:] == b";"
    assert b"NETSCAPE2.0\x03\x01\x00\x00" in data


def test_rendering_several_scenes_at_once_gives_the_same_files(tmp_path):
    from trajectories.pipeline.limits import check_render
    from trajectories.pipeline.stages import render_many
    from trajectories.scene import Scene
    from trajectories.writers import get_format

    scenes = [
        Scene(f"s{i}", surface, ["sgd:lr=0.05", "adam:lr=0.1"], steps=8, size=(160, 120), dpi=40)
        for i, surface in enumerate(["sphere", "booth", "himmelblau"])
    ]
    for jobs in (1, 2):
        (tmp_path / str(jobs)).mkdir()
        folder = tmp_path / str(jobs)
        renders = [check_render(s, get_format("gif"), folder / f"{s.name}.gif", jobs=jobs) for s in scenes]
        results = render_many(renders)
        assert [r.path.name for r in results] == ["s0.gif", "s1.gif", "s2.gif"]  # in the order given
    for scene in scenes:
        name = f"{scene.name}.gif"
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_a_writer_finishes_on_leaving_its_block_or_aborts_when_it_fails():
    calls = []

    class Recording(FrameWriter):
        def add(self, frame, delay):
            calls.append("add")

        def finish(self):
            calls.append("finish")

        def abort(self):
            calls.append("abort")
            raise OSError("the helper process is gone")  # never hides the render's own error

    with Recording() as writer:
        writer.add(None, 1)
    assert calls == ["add", "finish"]
    calls.clear()
    with pytest.raises(KeyboardInterrupt), Recording() as writer:
        writer.add(None, 1)
        raise KeyboardInterrupt
    assert calls == ["add", "abort"]
    assert FrameWriter.frames_written is None  # one frame per add, unless a writer counts its own
