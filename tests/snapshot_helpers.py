"""How our snapshot tests render a scene: small, four frames, no text (fonts rasterise differently on
other machines; every shape, the legend's box and handles included, is still drawn)."""

from trajectories.pipeline.stages import render_scene
from trajectories.writers import FrameWriter

from .contracts import fake_format

WIDTH = 200


def small(scene):
    factor = WIDTH / scene.look.size[0]
    size = (WIDTH, max(64, round(scene.look.size[1] * factor)))
    return scene.with_options(size=size, dpi=max(8, round(scene.look.dpi * factor)))


def render_small(scene, path):
    return render_scene(small(scene), path, text=False, sample=4)


class KeepingGifWriter(FrameWriter):
    """The GIF writer, keeping what the pipeline gave it: the palette (``mapper``), and every frame with its
    delay (the decoder tests compare decoders' frames with these)."""

    def __init__(self, file, size, mapper):
        from trajectories.writers.gif import GifWriter

        self.gif, self.mapper, self.frames, self.delays = GifWriter(file, size, mapper), mapper, [], []

    @property
    def frames_written(self):
        return self.gif.frames_written

    def add(self, frame, delay):
        self.gif.add(frame, delay)
        self.frames.append(frame)
        self.delays.append(delay)

    def finish(self):
        self.gif.finish()


def render_small_keeping(scene, path):
    """:func:`render_small`, and the :class:`KeepingGifWriter` that wrote it: the same GIF bytes."""
    kept = []

    def keeping(target):
        kept.append(KeepingGifWriter(target.file, target.size, target.mapper))
        return kept[-1]

    with fake_format(keeping, name="keeping_gif") as name:
        return render_scene(small(scene), path, text=False, sample=4, format=name), kept[0]
