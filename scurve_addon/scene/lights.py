"""Two large area lights in front of the mirror (optional).

The recipe's hint: large light sources moved close to the mirror must not show straight
line disturbances in their reflections; they are a smoothness test of their own.
"""
from __future__ import annotations

from functools import partial
from typing import cast

import bpy
from mathutils import Matrix, Vector

from . import placement, tags

LIGHTS = {"AREA_LEFT": "S-Curve Studio Area Light Left", "AREA_RIGHT": "S-Curve Studio Area Light Right"}
POWER_PER_AREA = 60.0  # W per square metre of lamp at unit mirror scale


def ensure_area_lights(scene: bpy.types.Scene, radius: float, length: float, frame: Matrix,
                       scale: float) -> dict[str, bpy.types.Object]:
    out = {}
    target = frame @ Vector((0.0, 0.0, radius))  # the mirror's centre
    for role, location, size in placement.area_light_placements(radius, length):
        name = LIGHTS[role]
        obj = tags.ensure_object(scene, role, name, partial(_new_area_light, name), "AREA")
        lamp = cast(bpy.types.AreaLight, obj.data)
        lamp.shape = "RECTANGLE"
        lamp.size = size * scale
        lamp.size_y = 0.6 * size * scale
        lamp.energy = POWER_PER_AREA * (size * scale) ** 2 * 0.6 * (1.0 + 0.1 * length / radius)
        obj.location = frame @ Vector(location.tolist())
        direction = target - obj.location
        obj.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
        out[role] = obj
    return out


def _new_area_light(name: str) -> bpy.types.Light:
    return bpy.data.lights.new(name, "AREA")


def remove_area_lights(scene: bpy.types.Scene) -> None:
    for role in LIGHTS:
        tags.remove_object(scene, role)
