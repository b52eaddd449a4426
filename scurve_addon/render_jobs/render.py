"""The Blender side of one render: an empty scene, output settings, the render, the image.

render_jobs.session strings these together for a sequence of jobs.
"""
from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from typing import Any, cast

import bpy

from ..defaults import RenderParams
from . import paths
from .jobfile import Job


def reset_scene() -> None:
    """An empty scene from Blender's factory startup (user preferences, devices included, kept)."""
    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)


def apply_output_settings(scene: bpy.types.Scene, render: RenderParams) -> None:
    """Image format, and Cycles' persistent data (the studio set the engine, the resolution
    and the sampling from the same RenderParams: scene/cycles_settings.py)."""
    scene.render.film_transparent = False
    # Keep what Cycles built (BVH, shaders, the sky's importance map) from one render to
    # the next of the same session: only what changed between jobs is synced again.
    scene.render.use_persistent_data = True
    settings = cast(Any, scene.render.image_settings)  # file_format: checked against RenderParams' choices
    settings.file_format = render.file_format
    if render.file_format == "OPEN_EXR":
        settings.color_mode, settings.color_depth, settings.exr_codec = "RGBA", "32", "ZIP"
    else:
        settings.color_mode, settings.color_depth, settings.compression = "RGB", "8", 15


def render_still(scene: bpy.types.Scene, on_stats: Callable[[str], None] | None = None,
                 persistent: bool = True) -> None:
    """Render the scene's camera view into Blender's Render Result; `on_stats` gets Cycles'
    status lines. `persistent` False: this render rebuilds Cycles' data (and keeps none).
    Raises RuntimeError when Cycles does not finish."""
    handler = (lambda *args: on_stats(str(args[0]))) if on_stats else None
    if handler:
        bpy.app.handlers.render_stats.append(handler)
    if not persistent:
        scene.render.use_persistent_data = False
    try:
        result: set[str] = set(bpy.ops.render.render(write_still=False, scene=scene.name) or ())
    finally:
        if not persistent:
            scene.render.use_persistent_data = True  # the next render keeps Cycles' data again
        if handler:
            bpy.app.handlers.render_stats.remove(handler)
    if "FINISHED" not in result:
        raise RuntimeError(f"Cycles did not finish the render ({', '.join(result)})")


def save_image(scene: bpy.types.Scene, final: str, render: RenderParams) -> None:
    """The Render Result written to `final` atomically, in the scene's output format.

    Blender's save_render does not report a full disk: the written file is checked (its
    structure, size and compressed data) before it may take the final name."""
    width, height = (int(v) for v in render.resolution)

    def verify(path: str) -> None:
        paths.verify_image(path, render.file_format, width, height)

    with paths.atomic_target(final, verify=verify) as partial:
        bpy.data.images["Render Result"].save_render(filepath=partial, scene=scene)


def sampling_record(scene: bpy.types.Scene, job: Job) -> dict:
    """The sampling and light-path settings that rendered the job, for its sidecar."""
    cycles = scene.cycles
    return {"max": cycles.samples, "adaptive": bool(cycles.use_adaptive_sampling),
            "noise_threshold": job.render.noise_threshold if cycles.use_adaptive_sampling else 0.0,
            "denoise": bool(cycles.use_denoising),
            "denoiser": cycles.denoiser if cycles.use_denoising else None,
            "seed": cycles.seed, "glossy_bounces": cycles.glossy_bounces, "max_bounces": cycles.max_bounces}


def blender_info() -> dict:
    def text(v: object) -> str:
        return v.decode() if isinstance(v, bytes) else str(v)

    return {"version": bpy.app.version_string, "build_hash": text(bpy.app.build_hash),
            "build_date": text(bpy.app.build_date), "build_branch": text(bpy.app.build_branch),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "binary": bpy.app.binary_path or None}  # None: the bpy module
