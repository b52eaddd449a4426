"""The camera: in front of the mirror (+X of its frame), framing the whole surface.

Its distance comes from the surface's evaluated bounding box, the lens and the image's
aspect (placement.fit_camera), so every corner of the box projects inside the frame.
"""
from __future__ import annotations

from typing import cast

import bpy
import numpy as np
from mathutils import Matrix

from .. import compat
from . import placement, tags

CAMERA_NAME = "S-Curve Studio Camera"
DICING_CAMERA_NAME = "S-Curve Dicing Camera"


def ensure_camera(scene: bpy.types.Scene, corners: np.ndarray, frame: Matrix, lens: float) -> bpy.types.Object:
    """`corners`: (8, 3) world-space bounding box of the evaluated surface."""
    obj = tags.ensure_object(scene, "CAMERA", CAMERA_NAME, lambda: bpy.data.cameras.new(CAMERA_NAME))
    cam = cast(bpy.types.Camera, obj.data)
    cam.type = "PERSP"
    cam.lens_unit = "MILLIMETERS"
    cam.lens = lens
    cam.sensor_fit = "HORIZONTAL"
    cam.sensor_width = placement.CAMERA_SENSOR_WIDTH
    cam.shift_x = cam.shift_y = 0.0
    render = scene.render
    aspect = (render.resolution_x * render.pixel_aspect_x) / (render.resolution_y * render.pixel_aspect_y)
    turn = np.array(frame.to_3x3().normalized())
    forward = turn @ placement.camera_forward()
    location, rotation = placement.fit_camera(corners, forward, lens, aspect)
    size = float(np.linalg.norm(corners.max(axis=0) - corners.min(axis=0)))
    cam.clip_start = max(0.01, 0.001 * size)
    cam.clip_end = max(1000.0, 200.0 * size)
    obj.matrix_world = Matrix.Translation(location.tolist()) @ Matrix(rotation.tolist()).to_4x4()
    scene.camera = obj
    return obj


def ensure_dicing_camera(scene: bpy.types.Scene) -> bpy.types.Object | None:
    """A still, hidden camera as Cycles' dicing camera, where the mirror can use adaptive
    subdivision (compat.HAS_ADAPTIVE_SUBDIVISION); None elsewhere.

    Cycles dices an adaptively subdivided mesh again whenever its dicing camera moves, and
    without one that is the scene camera: every frame of a walk-around re-diced the mirror
    (0.5 s for the default mirror on a 2-core machine). In object space (smoothing.py) the
    dicing does not depend on the camera (the pixels are the same with a dicing camera
    looking away), so a camera that never moves keeps the diced mirror across frames.
    """
    if not compat.HAS_ADAPTIVE_SUBDIVISION:
        return None
    obj = tags.ensure_object(scene, "DICING_CAMERA", DICING_CAMERA_NAME,
                             lambda: bpy.data.cameras.new(DICING_CAMERA_NAME))
    if not obj.hide_render:
        obj.hide_render = True
        obj.hide_viewport = True
    if scene.cycles.dicing_camera != obj:  # set only when it differs: an update re-dices
        scene.cycles.dicing_camera = obj
    return obj
