"""Decoders people actually use, each reading an animation into its frames as a viewer shows them (whole,
composited, opaque RGB) and, where the decoder tells, each frame's duration in milliseconds."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

Frames = list[np.ndarray]


def pillow(path: Path, size: tuple[int, int]) -> tuple[Frames, list[int] | None]:
    frames, durations = [], []
    with Image.open(path) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGBA")))
            durations.append(int(image.info["duration"]))
    return frames, durations


def imagemagick(path: Path, size: tuple[int, int]) -> tuple[Frames, list[int] | None]:
    """``convert FILE -coalesce rgba:-``: every frame whole, as ImageMagick composes it; durations from
    ``identify``'s ``%T`` (hundredths of a second)."""
    raw = _run([shutil.which("convert") or "convert", str(path), "-coalesce", "rgba:-"])
    ticks = _run(["identify", "-format", "%T\n", str(path)]).decode().split()
    return _split(raw, size), [10 * int(t) for t in ticks]


def ffmpeg(path: Path, size: tuple[int, int]) -> tuple[Frames, list[int] | None]:
    """ffmpeg's own decoder (``-fps_mode passthrough``: one output frame per frame in the file, none
    dropped or repeated to fit a frame rate); it reports no per-frame durations here."""
    raw = _run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgba",
                "-fps_mode", "passthrough", "-"])
    return _split(raw, size), None


CHROMIUM_DECODE = """(async () => {
  const bytes = Uint8Array.from(atob("%s"), c => c.charCodeAt(0));
  const decoder = new ImageDecoder({data: bytes, type: "%s", colorSpaceConversion: "none",
                                    premultiplyAlpha: "none"});
  await decoder.tracks.ready;
  await decoder.completed;
  const count = decoder.tracks.selectedTrack.frameCount, frames = [];
  for (let i = 0; i < count; i++) {
    const image = (await decoder.decode({frameIndex: i})).image;
    const canvas = new OffscreenCanvas(image.displayWidth, image.displayHeight);
    const context = canvas.getContext("2d", {colorSpace: "srgb"});
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    if (%s) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
      frames.push([Array.from(digest, b => b.toString(16).padStart(2, "0")).join(""), image.duration]);
      image.close();
      continue;
    }
    let text = "";
    for (let k = 0; k < data.length; k += 8192) text += String.fromCharCode.apply(null, data.subarray(k, k + 8192));
    frames.push([btoa(text), image.duration]);
    image.close();
  }
  decoder.close();
  return frames;
})()"""

MIME = {".gif": "image/gif", ".png": "image/png", ".webp": "image/webp"}


def chromium(page, path: Path, size: tuple[int, int], digests: bool = False) -> tuple[list, list[int] | None]:
    """WebCodecs' ``ImageDecoder`` in a Chromium page, each frame read back through a canvas (with
    ``digests``: each frame's SHA-256 of its RGBA bytes, computed in the page, instead of its pixels)."""
    encoded = base64.b64encode(path.read_bytes()).decode()
    answer = page.evaluate(CHROMIUM_DECODE % (encoded, MIME[path.suffix], "true" if digests else "false"))
    if digests:
        return [digest for digest, _ in answer], [round(duration / 1000) for _, duration in answer]
    width, height = size
    frames = [np.frombuffer(base64.b64decode(pixels), dtype=np.uint8).reshape(height, width, 4)
              for pixels, _ in answer]
    return frames, [round(duration / 1000) for _, duration in answer]  # microseconds


def _run(command: list[str]) -> bytes:
    done = subprocess.run(command, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{command[0]} failed: {done.stderr.decode(errors='replace')[:300]}")
    return done.stdout


def _split(raw: bytes, size: tuple[int, int]) -> Frames:
    width, height = size
    if len(raw) % (width * height * 4):
        raise AssertionError(f"{len(raw)} bytes are not whole {width}x{height} RGBA frames")
    return list(np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 4))


def merge_repeats(frames: Frames, durations: list[int] | None) -> tuple[Frames, list[int] | None]:
    """Consecutive identical frames as one, lasting as long as they did together: encoders and decoders
    may merge them (ours do), and a viewer shows the same thing either way."""
    kept: Frames = []
    total: list[int] = []
    for index, frame in enumerate(frames):
        if kept and np.array_equal(kept[-1], frame):
            if durations is not None:
                total[-1] += durations[index]
            continue
        kept.append(frame)
        if durations is not None:
            total.append(durations[index])
    return kept, total if durations is not None else None
