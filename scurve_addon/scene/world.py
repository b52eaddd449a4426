"""The studio's world: Blender's physical sky texture (Nishita, or Multiple Scattering in 5.0).

The sky's own sun disc is switched off: the sun lamp (sun.py) lights the scene and shows
in the mirror, from the same direction, so the sun is not counted twice.
"""
from __future__ import annotations

import math
from typing import cast

import bpy

from .. import compat
from ..defaults import SceneParams
from . import nodes, tags

WORLD_NAME = "S-Curve Studio Sky"
# Cycles' importance map of the world. Its automatic size costs seconds per render on a
# small CPU; the sky (sun disc off) and the zebra stripes have no detail that needs more.
WORLD_MAP_RESOLUTION = 512


def ensure_sky_world(params: SceneParams) -> bpy.types.World:
    """The studio's sky world, (re)built for `params`; not yet assigned to a scene."""
    world = tags.ensure_world("SKY", WORLD_NAME)
    tree = nodes.fresh_tree(world)
    sky = nodes.add(tree, "ShaderNodeTexSky", -300, name="Sky", label="Physical Sky")
    compat.use_physical_sky(sky)
    sky.sun_disc = False
    sky.sun_elevation = math.radians(params.sun_elevation)
    sky.sun_rotation = math.radians(params.sun_rotation)
    sky.air_density = 1.0
    compat.set_sky_aerosol_density(sky, 1.0)
    sky.ozone_density = 1.0
    background = nodes.add(tree, "ShaderNodeBackground", 0, name="Background")
    background.inputs["Strength"].default_value = params.sky_strength
    output = nodes.add(tree, "ShaderNodeOutputWorld", 250, name="World Output")
    nodes.link(tree, sky.outputs["Color"], background.inputs["Color"])
    nodes.link(tree, background.outputs["Background"], output.inputs["Surface"])
    world.color = (0.4, 0.55, 0.8)  # viewport colour of the world in solid mode
    set_world_sampling(world)
    return world


def set_world_sampling(world: bpy.types.World) -> None:
    world.cycles.sampling_method = "MANUAL"
    world.cycles.sample_map_resolution = WORLD_MAP_RESOLUTION


def sky_node(world: bpy.types.World) -> bpy.types.ShaderNodeTexSky | None:
    tree = world.node_tree
    found = next((n for n in tree.nodes if n.type == "TEX_SKY"), None) if tree else None
    return cast(bpy.types.ShaderNodeTexSky, found)
