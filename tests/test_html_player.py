"""``--format html``: one offline page that plays the animation, checked as a file and in a real headless
Chromium (the session's ``chromium`` fixture, tests/browser.py)."""

import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

from trajectories.integrations.snapshot import DEFAULT_TOLERANCE, frame_rms
from trajectories.pipeline import stages as pipeline
from trajectories.pipeline.stages import frame_delays, render_scene
from trajectories.scene import Scene
from trajectories.writers.html import HtmlWriter, fragment
from trajectories.writers.quantize import PaletteMapper, build_palette

from .contracts import fake_format
from .drawing import make_view
from .test_encode import moving_square_frames

FPS = 25  # 40 ms a frame
HOLD = 0.4


def player_scene(**changes):
    # dark: in the light theme the palette mapping (shared by the GIF and the player) turns the white
    # background into (252, 252, 251), although white is in the palette (Pillow's quantize to a given palette
    # picks the colour nearest to a small box of colours, not to the colour): a frame RMS of about 3 from
    # that alone, which would leave the tolerance below no room to mean anything
    options = dict(steps=30, size=(240, 180), dpi=40, fps=FPS, hold=HOLD, theme="dark")
    options.update(changes)
    return Scene("player", "himmelblau", ["adam:lr=0.1", "sgd:lr=0.01,momentum=0.9"], start=(-0.25, -0.85),
                 **options)


def page_data(text):
    """The player's JSON: width, height and the frames' ``[delay, step, x, y, uri]`` entries."""
    return json.loads(re.search(r'class="tj-data">(.*?)</script>', text, re.S).group(1))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The scene as a page, its frames as the view draws them, and as the palette maps them."""
    folder = tmp_path_factory.mktemp("player")
    scene = player_scene()
    page = folder / "player.html"
    render_scene(scene, page)
    view = make_view(scene)
    try:
        frames = [view.frame(i) for i in range(len(view.steps_shown))]
        steps = list(view.steps_shown)
    finally:
        view.close()
    captured = {}

    def capture(target):
        captured["mapper"] = target.mapper
        return HtmlWriter(target.file, target.size, target.mapper)

    with fake_format(capture, extension=".html") as name:
        render_scene(scene, folder / "again.html", format=name)
    mapper = captured["mapper"]
    mapped = [mapper.to_rgb(mapper(frame)) for frame in frames]
    gif = render_scene(scene, folder / "player.gif")
    return {"scene": scene, "page": page, "frames": frames, "mapped": mapped, "steps": steps, "gif": gif.path}


# --- the file -----------------------------------------------------------------------------------------


def test_the_page_names_no_url_at_all(rendered):
    text = rendered["page"].read_text()
    assert "http" not in text.lower()
    links = re.findall(r"""\b(?:src|href|action|poster|data)\s*=\s*["']([^"']*)""", text, re.I)
    assert all(link.startswith("data:") for link in links), links
    assert "url(" not in text.lower()
    assert "//" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", text)
    assert "<link" not in text and "@import" not in text


def test_the_page_keeps_every_frame_with_the_gifs_timing_and_its_step(rendered):
    data = page_data(rendered["page"].read_text())
    entries = data["frames"]
    assert (data["width"], data["height"]) == rendered["scene"].look.size
    assert [e[1] for e in entries] == rendered["steps"]
    delays = [e[0] for e in entries]
    assert delays == frame_delays(len(entries), FPS, HOLD)
    assert delays[-1] == 4 + round(100 * HOLD)  # the hold lengthens the last frame, as in the GIF
    # the GIF (decoded by Pillow) shows each frame for as long: identical frames merge there, so compare ends
    with Image.open(rendered["gif"]) as gif:
        gif_durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            gif_durations.append(gif.info["duration"])
    assert set(np.cumsum(gif_durations)) <= set(10 * np.cumsum(delays))
    assert sum(gif_durations) == 10 * sum(delays)


def test_frames_after_the_first_hold_only_what_changed_and_repeats_hold_nothing():
    frames = moving_square_frames(4)
    frames = [frames[0], frames[1], frames[1], frames[2], frames[3]]
    mapper = PaletteMapper(build_palette(frames, [(213, 94, 0)]))
    buffer = io.BytesIO()
    writer = HtmlWriter(buffer, (64, 48), mapper, steps=[0, 2, 4, 6, 8])
    for frame in frames:
        writer.add(frame, 5)
    writer.finish()
    entries = page_data(buffer.getvalue().decode())["frames"]
    assert [e[1] for e in entries] == [0, 2, 4, 6, 8]
    assert entries[2][4] is None  # the repeat: no picture, but its own position on the scrubber
    first = Image.open(io.BytesIO(_png(entries[0][4])))
    assert first.size == (64, 48)
    # the square moves 6 px right: the rectangle spans its old and new place, 6 rows by 12 columns
    assert (entries[1][2], entries[1][3]) == (5, 20)
    with Image.open(io.BytesIO(_png(entries[1][4]))) as crop:
        assert crop.size == (12, 6)
        rgba = np.asarray(crop.convert("RGBA"))
    expected = mapper.to_rgb(mapper(frames[1]))[20:26, 5:17]
    changed = np.any(frames[1][20:26, 5:17] != frames[0][20:26, 5:17], axis=-1)
    assert (rgba[..., 3] == np.where(changed, 255, 0)).all()  # unchanged pixels transparent
    assert np.array_equal(rgba[changed][:, :3], expected[changed])


def _png(uri):
    import base64

    assert uri.startswith("data:image/png;base64,")
    return base64.b64decode(uri.split(",", 1)[1])


def test_the_notebook_shows_the_player_past_its_frame_threshold(monkeypatch):
    scene = player_scene(steps=6)
    assert scene._repr_html_().startswith("<img")  # 7 frames: a GIF
    monkeypatch.setattr(pipeline, "NOTEBOOK_PLAYER_FRAMES", 6)
    html = scene._repr_html_()
    assert 'class="tj-player"' in html and "<html" not in html and "<body" not in html
    assert len(page_data(html)["frames"]) == 7
    assert fragment(html) == html


# --- in Chromium ----------------------------------------------------------------------------------------

PLAYER = "document.querySelector('.tj-player').trajectoriesPlayer"


@pytest.fixture
def page(chromium, rendered):
    tab = chromium.new_page()
    tab.open(rendered["page"])
    tab.evaluate(f"{PLAYER}.ready")
    tab.evaluate(f"{PLAYER}.pause()")
    yield tab
    tab.close()


def canvas_pixels(page):
    """The canvas's pixels as the page holds them (getImageData), RGB."""
    packed = page.evaluate(
        "(() => { const c = document.querySelector('.tj-player canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let s = '';"
        " for (let i = 0; i < d.length; i += 8192) s += String.fromCharCode.apply(null, d.subarray(i, i + 8192));"
        " return [c.width, c.height, btoa(s)]; })()"
    )
    import base64

    width, height, encoded = packed
    return np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).reshape(height, width, 4)[..., :3]


def test_the_page_loads_without_console_errors_and_autoplays(chromium, rendered):
    tab = chromium.new_page()
    try:
        tab.open(rendered["page"])
        assert tab.evaluate(f"{PLAYER}.ready.then(() => document.querySelector('.tj-player').dataset.ready)") \
            == "true"
        assert tab.evaluate(f"{PLAYER}.playing") is True  # like the GIF it stands for
        time.sleep(0.3)
        assert tab.evaluate(f"{PLAYER}.frame") > 0
        assert tab.errors() == []
    finally:
        tab.close()


def test_playing_advances_the_frames_at_the_stated_fps(page, rendered):
    page.evaluate(f"{PLAYER}.seek(0)")
    began = page.evaluate(f"(() => {{ {PLAYER}.log.length = 0; {PLAYER}.play(); return performance.now(); }})()")
    time.sleep(0.9)
    log, starts, (now_frame, now) = page.evaluate(
        f"[{PLAYER}.log.slice(), {PLAYER}.starts, [{PLAYER}.frame, performance.now()]]")
    page.evaluate(f"{PLAYER}.pause()")
    assert starts == [10 * s for s in np.cumsum([0, *frame_delays(31, FPS, HOLD)[:-1]]).tolist()]
    shown = [(frame, at - began) for frame, at in log]
    assert len(shown) >= 8
    # each frame drawn is the one whose time it is, at the time of the display refresh it is drawn for
    for frame, elapsed in shown:
        assert starts[frame] - 1 <= elapsed < (starts[frame + 1] if frame + 1 < len(starts) else 1e9) + 1
    last_frame, last_time = shown[-1]
    assert abs(last_frame - last_time * FPS / 1000) <= 1  # 25 frames a second
    # and on the page's clock, 0.9 s after play the frame shown is the one due (or, on a busy machine
    # whose refresh comes late, at most four behind: 160 ms)
    due = (now - began) * FPS / 1000
    assert due - 5 <= now_frame <= due
    # and frames are not skipped wholesale (a busy machine may delay a display refresh now and then)
    assert len({frame for frame, _ in shown}) >= 0.5 * (last_frame + 1)
    assert page.errors() == []


def test_speed_and_loop_controls(page):
    page.evaluate(
        "(() => { const s = document.querySelector('.tj-speed'); s.value = '4';"
        " s.dispatchEvent(new Event('change')); const l = document.querySelector('.tj-loop'); l.checked = false; })()"
    )
    page.evaluate(f"{PLAYER}.seek(0)")
    began = page.evaluate(f"(() => {{ {PLAYER}.log.length = 0; {PLAYER}.play(); return performance.now(); }})()")
    total = page.evaluate(f"{PLAYER}.total")  # 30 × 40 ms + the last frame's 440 ms = 1.64 s at 1×
    assert total == 10 * sum(frame_delays(31, FPS, HOLD))
    time.sleep(0.25)
    frame, at = page.evaluate(f"{PLAYER}.log[{PLAYER}.log.length - 1]")
    assert abs(frame - 4 * (at - began) * FPS / 1000) <= 1  # four times as fast
    time.sleep(total / 4000 + 0.3)
    assert page.evaluate(f"[{PLAYER}.playing, {PLAYER}.frame]") == [False, 30]  # no loop: it stops at the end
    page.evaluate("document.querySelector('.tj-loop').checked = true")
    page.evaluate(f"{PLAYER}.log.length = 0; {PLAYER}.play()")
    time.sleep(total / 4000 + 0.2)
    frames = [frame for frame, _ in page.evaluate(f"{PLAYER}.log.slice()")]
    assert page.evaluate(f"{PLAYER}.playing") is True and 0 in frames  # with loop: it starts again


def test_scrubbing_shows_the_requested_frame_exactly(page, rendered):
    for index in (17, 3, 30, 0, 29, 12):  # forwards, backwards, to the ends
        page.evaluate(
            f"(() => {{ const r = document.querySelector('.tj-scrub'); r.value = '{index}';"
            " r.dispatchEvent(new Event('input')); })()"
        )
        assert page.evaluate(f"{PLAYER}.frame") == index
        assert np.array_equal(canvas_pixels(page), rendered["mapped"][index]), index
        label = page.evaluate("document.querySelector('.tj-step').textContent")
        assert label.startswith(f"step {rendered['steps'][index]} ") and label.endswith(f"{index + 1}/31")


def test_a_screenshot_of_the_canvas_matches_the_rendered_frame(page, rendered):
    page.evaluate(f"{PLAYER}.seek(20)")
    box = page.evaluate("(() => { const r = document.querySelector('.tj-player canvas').getBoundingClientRect();"
                        " return [r.x, r.y, r.width, r.height]; })()")
    assert box[2:] == [240, 180]  # shown at its own size where there is room
    with Image.open(io.BytesIO(page.screenshot(*box))) as shot:
        pixels = np.asarray(shot.convert("RGB"))
    assert pixels.shape == (180, 240, 3)
    assert frame_rms(rendered["frames"][20][..., :3], pixels) <= DEFAULT_TOLERANCE
    assert np.array_equal(pixels, rendered["mapped"][20])  # and on screen, the GIF's very pixels


def test_keyboard_shortcuts(page):
    page.evaluate("document.querySelector('.tj-player').focus()")
    page.press("End", "End", 35)
    assert page.evaluate(f"{PLAYER}.frame") == 30
    page.press("Home", "Home", 36)
    page.press("ArrowRight", "ArrowRight", 39)
    page.press("ArrowRight", "ArrowRight", 39)
    page.press("ArrowLeft", "ArrowLeft", 37)
    assert page.evaluate(f"{PLAYER}.frame") == 1
    page.press(" ", "Space", 32)
    assert page.evaluate(f"{PLAYER}.playing") is True
    page.press(" ", "Space", 32)
    assert page.evaluate(f"{PLAYER}.playing") is False
    assert page.errors() == []


def test_the_player_scales_to_its_container_and_keeps_its_aspect_ratio(page):
    size = page.evaluate(
        "(() => { document.body.style.margin = '0'; document.body.style.width = '120px';"
        " const r = document.querySelector('.tj-player canvas').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert size == [120, 90]
