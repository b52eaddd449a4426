"""Zebra (reflection-line) lighting: evenly spaced light stripes all round instead of the sky.

The world emits `zebra_stripes` light bands evenly spaced in elevation, from the nadir to
the zenith, half light and half dark; nothing else lights the scene (the sun, the ground,
the test objects and the area lights are hidden from the render), so the mirror shows
only the stripes' reflections. Car-body designers judge surfaces this way: on a smooth
surface the reflected stripes run smoothly, a kink breaks them, a flat spot bunches or
spreads them.

The node chain computes placement.zebra_stripe(): asin(direction.z) + pi/2, times
stripes / pi, fractional part below 0.5.
"""
from __future__ import annotations

import math

import bpy

from ..defaults import SceneParams
from . import nodes, tags
from .world import set_world_sampling

WORLD_NAME = "S-Curve Studio Zebra"
LIGHT_STRENGTH = 1.0
DARK_STRENGTH = 0.0


def ensure_zebra_world(params: SceneParams) -> bpy.types.World:
    world = tags.ensure_world("ZEBRA", WORLD_NAME)
    tree = nodes.fresh_tree(world)
    coords = nodes.add(tree, "ShaderNodeTexCoord", -1400)
    split = nodes.add(tree, "ShaderNodeSeparateXYZ", -1200)
    elevation = nodes.math_node(tree, "ARCSINE", -1000)
    from_nadir = nodes.math_node(tree, "ADD", -800, value=math.pi / 2)
    bands = nodes.math_node(tree, "MULTIPLY", -600, value=params.zebra_stripes / math.pi)
    phase = nodes.math_node(tree, "FRACT", -400)
    light = nodes.math_node(tree, "LESS_THAN", -200, value=0.5)
    level = nodes.add(tree, "ShaderNodeMapRange", 0)
    level.inputs["To Min"].default_value = DARK_STRENGTH
    level.inputs["To Max"].default_value = LIGHT_STRENGTH
    background = nodes.add(tree, "ShaderNodeBackground", 200, name="Background")
    background.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
    output = nodes.add(tree, "ShaderNodeOutputWorld", 400, name="World Output")
    # In a world shader, Generated is the (unit) direction of the ray.
    nodes.link(tree, coords.outputs["Generated"], split.inputs["Vector"])
    nodes.link(tree, split.outputs["Z"], elevation.inputs[0])
    nodes.link(tree, elevation.outputs[0], from_nadir.inputs[0])
    nodes.link(tree, from_nadir.outputs[0], bands.inputs[0])
    nodes.link(tree, bands.outputs[0], phase.inputs[0])
    nodes.link(tree, phase.outputs[0], light.inputs[0])
    nodes.link(tree, light.outputs[0], level.inputs["Value"])
    nodes.link(tree, level.outputs["Result"], background.inputs["Strength"])
    nodes.link(tree, background.outputs["Background"], output.inputs["Surface"])
    world.color = (0.5, 0.5, 0.5)
    set_world_sampling(world)
    return world
