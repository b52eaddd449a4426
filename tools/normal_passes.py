"""Render a mirror's Normal and Position passes headless with Cycles, as per-pixel arrays.

What the rendered-normal measurement (tools/normal_errors.py, tests/test_rendered_normals.py,
bench/optics.py) looks at: an orthographic camera on +x looking at the mirror's convex
front (image right = +y, up = +z), framed on the analytic surface (the S-bend sweeps the
ends beyond +-length), 1 sample per pixel with a box filter of 0.01 px (each pixel sees
the one ray through its centre), no bounces, no denoising. The passes go through a 32-bit
multilayer EXR (compat.use_multilayer_exr) read back by tools/exr.py.

The Normal pass is the world-space shading normal (for a smooth-shaded mesh, the normals
interpolated across each triangle of the render-time subdivision); the Position pass is
the world-space hit point (float32). Pixels that miss the mirror have a zero normal.

    from tools import normal_passes
    obj = build.build_mirror(bpy.context, params)       # in an empty scene, at the origin
    passes = normal_passes.render_passes(bpy.context.scene, obj, params, width=240)
    errors = normal_errors(params, passes.position[passes.hit], passes.normal[passes.hit])
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Any, cast

import bpy
import numpy as np

from scurve_addon import compat, smoothing
from scurve_addon.defaults import SMOOTHING_MODIFIER_NAME, SurfaceParams
from scurve_addon.geometry import shape

from .exr import read_exr

CAMERA_NAME = "Normal passes camera"
CAMERA_DISTANCE = 10.0  # in front of the mirror's foremost point (ortho: only clipping cares)
MARGIN = 1.01  # frame 1 % beyond the surface


@dataclass(frozen=True)
class Tessellation:
    """How the smoothing modifier tessellates at render time: a subdivision level, or
    (Blender 5.0) adaptive subdivision in object space with edges of `edge_r` x radius."""

    level: int | None = None
    edge_r: float | None = None

    @property
    def label(self) -> str:
        if self.edge_r is not None:
            return f"adaptive R/{round(1 / self.edge_r)}"
        return f"level {self.level}" if self.level is not None else "the mirror's own"


def apply_tessellation(obj: bpy.types.Object, tessellation: Tessellation, radius: float) -> bool:
    """Set the mirror's smoothing modifier up for `tessellation` (a level turns adaptive
    subdivision off); False where this Blender cannot (adaptive subdivision before 5.0),
    with nothing changed."""
    mod = cast(bpy.types.SubsurfModifier, obj.modifiers[SMOOTHING_MODIFIER_NAME])
    if tessellation.edge_r is not None:
        if not compat.HAS_ADAPTIVE_SUBDIVISION:
            return False
        compat.set_adaptive_subdivision(mod, tessellation.edge_r * radius)
    elif tessellation.level is not None:
        compat.set_adaptive_subdivision(mod, None)
        mod.render_levels = tessellation.level
    return True


def rendered_tessellation(obj: bpy.types.Object) -> int | None:
    """The level Cycles renders the mirror at, None for adaptive subdivision."""
    mod = cast(bpy.types.SubsurfModifier, obj.modifiers[SMOOTHING_MODIFIER_NAME])
    return smoothing.modifier_rendered_levels(mod)


@dataclass
class Passes:
    normal: np.ndarray  # (H, W, 3) float32, world space; row 0 = top of the image
    position: np.ndarray  # (H, W, 3) float32, world space
    render_s: float  # wall time of bpy.ops.render.render (1 spp: mostly Cycles' sync)
    pixel_size: float  # metres per pixel (square pixels)
    origin: tuple[float, float]  # (y, z) of the image's top-left corner

    @property
    def hit(self) -> np.ndarray:
        """(H, W) bool: the pixels whose ray hit the mirror."""
        return cast(np.ndarray, np.linalg.norm(self.normal, axis=-1) > 0.5)

    def pixel_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """(H, W) world y and z of each pixel's centre (where its one ray goes)."""
        h, w = self.normal.shape[:2]
        y = self.origin[0] + (np.arange(w) + 0.5) * self.pixel_size
        z = self.origin[1] - (np.arange(h) + 0.5) * self.pixel_size
        return np.broadcast_to(y[None, :], (h, w)), np.broadcast_to(z[:, None], (h, w))


def surface_extent(params: SurfaceParams) -> tuple[float, float]:
    """Half-width in y and the largest x of the analytic surface (sampled densely)."""
    u, t = np.meshgrid(np.linspace(-1, 1, 401), np.linspace(0, math.pi, 61))
    pts = shape.surface_points(u.ravel(), t.ravel(), params.radius, params.length, params.profile, params.s_bend)
    return float(np.abs(pts[:, 1]).max()), float(pts[:, 0].max())


def image_height(params: SurfaceParams, width: int) -> int:
    """The height in pixels that frames the whole surface at `width` pixels."""
    half_y, _ = surface_extent(params)
    return max(8, round(width * params.radius / half_y))


def setup_camera(scene: bpy.types.Scene, params: SurfaceParams, width: int,
                 height: int) -> tuple[float, tuple[float, float]]:
    """An orthographic camera on +x looking -x at the mirror (at the origin, unrotated);
    returns the pixel size and the image's top-left (y, z)."""
    half_y, x_max = surface_extent(params)
    half_z = params.radius
    scale = max(2 * half_y * MARGIN, 2 * half_z * MARGIN * width / height)  # ortho_scale spans the wider side
    cam_data = bpy.data.cameras.get(CAMERA_NAME) or bpy.data.cameras.new(CAMERA_NAME)
    cam_data.type = "ORTHO"
    cam_data.ortho_scale = scale
    cam_data.clip_start = 0.01
    cam_data.clip_end = 1000.0
    cam = bpy.data.objects.get(CAMERA_NAME) or bpy.data.objects.new(CAMERA_NAME, cam_data)
    if cam.name not in scene.collection.objects:
        scene.collection.objects.link(cam)
    cam.location = (x_max + CAMERA_DISTANCE, 0.0, params.radius)
    cam.rotation_euler = (math.pi / 2, 0.0, math.pi / 2)  # looks along -x, image up = +z, right = +y
    scene.camera = cam
    pixel = scale / max(width, height)
    return pixel, (-width * pixel / 2, params.radius + height * pixel / 2)


def one_ray_per_pixel(scene: bpy.types.Scene, width: int, height: int) -> None:
    render = cast(Any, scene.render)  # the stubs type engine as the first enum value only
    render.engine = "CYCLES"
    cycles = scene.cycles
    cycles.device = "CPU"
    cycles.samples = 1
    cycles.use_adaptive_sampling = False
    cycles.use_denoising = False
    cycles.pixel_filter_type = "BOX"
    cycles.filter_width = 0.01
    cycles.max_bounces = 0
    cycles.seed = 0
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100
    scene.render.use_persistent_data = False
    scene.render.film_transparent = True
    if scene.world is None:
        scene.world = bpy.data.worlds.new("Normal passes world")
    layer = scene.view_layers[0]
    layer.use_pass_normal = True
    layer.use_pass_position = True
    settings = scene.render.image_settings
    compat.use_multilayer_exr(settings)
    settings.color_depth = "32"
    settings.exr_codec = "ZIP"


def _pass(channels: dict[str, np.ndarray], name: str) -> np.ndarray:
    """(H, W, 3) from the channels <layer>.<name>.X/Y/Z (the first view layer that has them)."""
    keys = sorted(k for k in channels if k.endswith(f".{name}.X"))
    if not keys:
        raise KeyError(f"no {name} pass among the EXR's channels ({', '.join(sorted(channels)[:8])} ...)")
    base = keys[0][:-2]
    return np.stack([channels[base + axis] for axis in (".X", ".Y", ".Z")], axis=-1)


def render_passes(scene: bpy.types.Scene, obj: bpy.types.Object, params: SurfaceParams, width: int,
                  height: int | None = None) -> Passes:
    """Render `obj` (a mirror of `params` at the origin, unrotated, unscaled: what
    build_mirror makes in an empty scene) at `width` pixels (height: the surface's aspect)."""
    if not np.allclose(np.array(obj.matrix_world), np.eye(4)):
        raise ValueError(f"{obj.name!r} must sit at the origin, unrotated and unscaled")
    height = height or image_height(params, width)
    pixel, origin = setup_camera(scene, params, width, height)
    one_ray_per_pixel(scene, width, height)
    folder = tempfile.mkdtemp(prefix="scurve-passes-")
    try:
        path = os.path.join(folder, "passes.exr")
        scene.render.filepath = path
        start = time.perf_counter()
        result: set[str] = set(bpy.ops.render.render(write_still=True, scene=scene.name) or ())
        seconds = time.perf_counter() - start
        if "FINISHED" not in result:
            raise RuntimeError(f"Cycles did not finish the passes render ({', '.join(result)})")
        channels = read_exr(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Passes(_pass(channels, "Normal"), _pass(channels, "Position"), seconds, pixel, origin)
