"""The sun lamp: elevation and rotation as in the sky texture, its colour shifted towards red."""
from __future__ import annotations

import math
from typing import cast

import bpy

from ..defaults import SceneParams
from . import placement, tags

SUN_NAME = "S-Curve Studio Sun"
SUN_ANGLE_DEG = 0.545  # the real sun's angular diameter: soft shadows, a small disc in the mirror


def ensure_sun(scene: bpy.types.Scene, params: SceneParams) -> bpy.types.Object:
    obj = tags.ensure_object(scene, "SUN", SUN_NAME, lambda: bpy.data.lights.new(SUN_NAME, "SUN"), "SUN")
    lamp = cast(bpy.types.SunLight, obj.data)
    lamp.energy = params.sun_strength
    lamp.color = placement.sun_color(params.sun_redness)
    lamp.angle = math.radians(SUN_ANGLE_DEG)
    obj.rotation_mode = "XYZ"
    obj.rotation_euler = placement.sun_euler(params.sun_elevation, params.sun_rotation)
    # A sun lamp's position does not matter to the render; park it above the scene.
    obj.location = tuple(6.0 * placement.sun_direction(params.sun_elevation, params.sun_rotation))
    return obj
