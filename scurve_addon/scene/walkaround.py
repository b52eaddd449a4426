"""The walk-around camera in a .blend: the path of camera_paths.py baked as keyframes.

scurve.setup_scene's "Walk-around camera" option: the studio camera gets a key on every
frame of the range (location and XYZ Euler rotation, linear in between), so that at each
whole frame it is exactly where a job file's [animation] puts it for that frame (the same
numpy function computes both). An artist scrubs the timeline and renders the animation
with Ctrl-F12; changing the path means running the operator again (the keys are replaced).
Follow Path would only approximate the path (it re-times by arc length over a polyline).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import bpy
from mathutils import Matrix

from ..defaults import AnimationParams, SurfaceParams
from ..render_jobs import camera_paths

PATH_KEY = "scurve_walkaround"  # on the camera: the animation it was baked from (JSON)


def _fcurves(obj: bpy.types.Object) -> list[Any]:
    """The object's F-curves: 5.0 has no Action.fcurves (slotted actions), 4.2 has no channelbags."""
    ad = obj.animation_data
    action: Any = ad.action if ad is not None else None
    if action is None:
        return []
    from bpy_extras import anim_utils

    channelbag = getattr(anim_utils, "action_get_channelbag_for_slot", None)
    if channelbag is None:  # 4.2
        return list(action.fcurves)
    bag: Any = channelbag(action, ad.action_slot)
    return list(bag.fcurves) if bag else []


def bake_walkaround(scene: bpy.types.Scene, camera: bpy.types.Object, anim: AnimationParams,
                    surface: SurfaceParams, frame: Matrix | None = None) -> int:
    """Key `camera` on every frame of `anim` along its path around a surface of this size;
    `frame`: the mirror's upright frame in the world (None: the world's origin). Sets the
    scene's frame range and frame rate. Returns the number of frames keyed."""
    frame = frame if frame is not None else Matrix.Identity(4)
    camera.animation_data_clear()
    camera.rotation_mode = "XYZ"
    previous = None
    frames = camera_paths.frame_range(anim)
    for f in frames:
        t = camera_paths.frame_time(anim, f)
        matrix = frame @ Matrix(camera_paths.camera_matrix(anim, t, surface.radius, surface.length).tolist())
        location, rotation, _ = matrix.decompose()
        euler = rotation.to_euler("XYZ", previous) if previous is not None else rotation.to_euler("XYZ")
        previous = euler
        camera.location, camera.rotation_euler, camera.scale = location, euler, (1.0, 1.0, 1.0)
        camera.keyframe_insert("location", frame=f)
        camera.keyframe_insert("rotation_euler", frame=f)
    for curve in _fcurves(camera):
        for point in curve.keyframe_points:
            point.interpolation = "LINEAR"
    camera[PATH_KEY] = json.dumps(asdict(anim))
    scene.frame_start, scene.frame_end = anim.frames
    scene.render.fps, scene.render.fps_base = anim.fps, 1.0
    scene.frame_set(scene.frame_current if anim.frames[0] <= scene.frame_current <= anim.frames[1]
                    else anim.frames[0])
    return len(frames)


def clear_walkaround(camera: bpy.types.Object | None) -> bool:
    """Remove a baked walk-around from the camera (its keys); returns whether there was one."""
    if camera is None or camera.get(PATH_KEY) is None:
        return False
    camera.animation_data_clear()
    del camera[PATH_KEY]
    return True
