"""How our snapshot tests render a scene: small, four frames, no text (fonts rasterise differently on
other machines; every shape, the legend's box and handles included, is still drawn)."""

from trajectories.pipeline import render_scene

WIDTH = 200


def small(scene):
    factor = WIDTH / scene.size[0]
    size = (WIDTH, max(64, round(scene.size[1] * factor)))
    return scene.with_options(size=size, dpi=max(8, round(scene.dpi * factor)))


def render_small(scene, path):
    return render_scene(small(scene), path, text=False, sample=4)
