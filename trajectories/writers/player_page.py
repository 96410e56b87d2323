"""The HTML player's page: its markup, style and script, fixed text around the frames that
:mod:`.html` streams in.

The page needs nothing from outside the file: no URL, no font, no library. Its script finds its own
container (``document.currentScript``), so the same fragment works as a file and as notebook output,
several times on one page. It exposes ``container.trajectoriesPlayer`` (``play()``, ``pause()``,
``seek(i)``, ``frame``, ``playing``, ``log`` of ``[frame, time]`` as each frame is drawn (the time it
is drawn for: the animation frame's timestamp while playing), ``starts``
and ``total`` in milliseconds, ``ready`` a promise) for tests and for pages that drive it.
"""

from __future__ import annotations

DOCUMENT_HEAD = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{title}</title>\n</head>\n<body>\n"
)
DOCUMENT_TAIL = "\n</body>\n</html>\n"
FRAGMENT_START = "<!-- trajectories player -->"
FRAGMENT_END = "<!-- end of trajectories player -->"

STYLE = """<style>
.tj-player{box-sizing:border-box;font:13px/1.4 system-ui,sans-serif;color:#222;outline:none}
.tj-player:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
.tj-player canvas{display:block;width:100%;height:auto;max-width:100%}
.tj-controls{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:4px 0}
.tj-controls button{min-width:2.4em}
.tj-scrub{flex:1 1 8em;min-width:6em}
.tj-step{font-variant-numeric:tabular-nums;white-space:nowrap}
</style>"""

CONTROLS = """<div class="tj-controls">
<button type="button" class="tj-play" aria-label="play" title="play / pause (space)">&#9654;</button>
<input type="range" class="tj-scrub" min="0" max="{last}" value="0" step="1" aria-label="frame"
 title="frame (arrows, home, end)">
<span class="tj-step" aria-live="off"></span>
<select class="tj-speed" aria-label="speed" title="speed">
<option value="0.25">0.25&#215;</option><option value="0.5">0.5&#215;</option>
<option value="1" selected>1&#215;</option><option value="2">2&#215;</option><option value="4">4&#215;</option>
</select>
<label title="loop"><input type="checkbox" class="tj-loop" checked> loop</label>
</div>"""

SCRIPT = """<script>
(function () {
  "use strict";
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector(".tj-data").textContent);
  var frames = data.frames, count = frames.length;
  var canvas = root.querySelector("canvas"), context = canvas.getContext("2d");
  var playButton = root.querySelector(".tj-play"), scrub = root.querySelector(".tj-scrub");
  var label = root.querySelector(".tj-step"), speedBox = root.querySelector(".tj-speed");
  var loopBox = root.querySelector(".tj-loop");
  /* frame i is shown from starts[i] for 10 * delay ms (GIF timing: hundredths of a second) */
  var starts = [], total = 0, i;
  for (i = 0; i < count; i++) { starts.push(total); total += 10 * frames[i][0]; }
  /* a frame after the first holds only the rectangle that changed (unchanged pixels transparent):
     frame k is frame 0 with frames 1..k drawn over it; checkpoints keep a few composed frames */
  var every = Math.max(32, Math.ceil(count / 32)), checkpoints = {};
  var images = frames.map(function (f) {
    if (!f[4]) { return null; }
    var image = new Image();
    image.src = f[4];
    return image;
  });
  var shown = -1, playing = false, origin = 0, speed = 1, log = [];

  function compose(target) {
    var from = -1, k, mark = Math.floor(target / every) * every;
    if (shown >= 0 && shown <= target && target - shown <= every) {
      from = shown;
    } else {
      while (mark > 0 && !checkpoints[mark]) { mark -= every; }
      if (checkpoints[mark]) {
        context.putImageData(checkpoints[mark], 0, 0);
        from = mark;
      }
      if (shown > from && shown <= target) { from = shown; }
    }
    for (k = from + 1; k <= target; k++) {
      if (images[k]) { context.drawImage(images[k], frames[k][2], frames[k][3]); }
      if (k % every === 0 && !checkpoints[k]) {
        checkpoints[k] = context.getImageData(0, 0, canvas.width, canvas.height);
      }
    }
  }

  function show(target, at) {
    target = Math.max(0, Math.min(count - 1, target));
    if (target !== shown) {
      compose(target);
      shown = target;
      scrub.value = String(target);
      label.textContent = "step " + frames[target][1] + " \\u00b7 frame " + (target + 1) + "/" + count;
      log.push([target, at === undefined ? performance.now() : at]);
      if (log.length > 4000) { log.splice(0, 2000); }
    }
  }

  function frameAt(ms) {
    var low = 0, high = count - 1, middle;
    while (low < high) {
      middle = (low + high + 1) >> 1;
      if (starts[middle] <= ms) { low = middle; } else { high = middle - 1; }
    }
    return low;
  }

  function tick(now) {
    if (!playing) { return; }
    var elapsed = (now - origin) * speed;
    if (elapsed >= total) {
      if (!loopBox.checked) { show(count - 1); pause(); return; }
      var laps = Math.floor(elapsed / total);
      origin += laps * total / speed;
      elapsed -= laps * total;
    }
    show(frameAt(elapsed), now);
    requestAnimationFrame(tick);
  }

  function play() {
    if (playing) { return; }
    if (shown === count - 1 && !loopBox.checked) { show(0); }
    playing = true;
    origin = performance.now() - starts[Math.max(shown, 0)] / speed;
    playButton.innerHTML = "&#10074;&#10074;";
    playButton.setAttribute("aria-label", "pause");
    requestAnimationFrame(tick);
  }

  function pause() {
    playing = false;
    playButton.innerHTML = "&#9654;";
    playButton.setAttribute("aria-label", "play");
  }

  function seek(target) { pause(); show(target); }

  playButton.addEventListener("click", function () { if (playing) { pause(); } else { play(); } });
  scrub.addEventListener("input", function () { seek(parseInt(scrub.value, 10)); });
  speedBox.addEventListener("change", function () {
    var now = performance.now(), position = (now - origin) * speed;
    speed = parseFloat(speedBox.value);
    origin = now - position / speed;
  });
  root.addEventListener("keydown", function (event) {
    var target = event.target, tag = target.tagName, type = target.type;
    var own = tag === "SELECT" || tag === "BUTTON" || (tag === "INPUT" && type !== "range");
    if (event.key === " ") {
      if (own) { return; }
      if (playing) { pause(); } else { play(); }
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft" || event.key === "Home" ||
               event.key === "End") {
      if (tag === "SELECT" || (tag === "INPUT" && type === "range")) { return; }
      seek({ArrowRight: shown + 1, ArrowLeft: shown - 1, Home: 0, End: count - 1}[event.key]);
    } else {
      return;
    }
    event.preventDefault();
  });
  root.addEventListener("click", function (event) { if (event.target === canvas) { root.focus(); } });

  var ready = Promise.all(images.map(function (image) {
    if (!image || image.complete) { return null; }
    return new Promise(function (resolve) { image.onload = resolve; image.onerror = resolve; });
  })).then(function () {
    show(0);
    root.setAttribute("data-ready", "true");
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (root.getAttribute("data-autoplay") === "true" && !still) { play(); }
  });
  root.trajectoriesPlayer = {
    play: play, pause: pause, seek: seek, log: log, starts: starts, total: total, ready: ready,
    get frame() { return shown; },
    get playing() { return playing; }
  };
})();
</script>"""
