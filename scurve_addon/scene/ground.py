"""The ground: a large plane whose faint noise texture shows disturbances in reflections."""
from __future__ import annotations

from typing import cast

import bpy
import numpy as np

from ..defaults import SceneParams
from ..material import assign_material, principled_bsdf
from . import nodes, placement, tags

GROUND_NAME = "S-Curve Studio Ground"
GROUND_MATERIAL = "S-Curve Studio Ground"
BASE_GREY = 0.42


def ensure_ground(scene: bpy.types.Scene, params: SceneParams, radius: float, length: float,
                  centre: tuple[float, float, float]) -> bpy.types.Object:
    """The ground plane through `centre` (under the mirror, at its lowest point), level."""
    obj = tags.ensure_object(scene, "GROUND", GROUND_NAME, lambda: bpy.data.meshes.new(GROUND_NAME))
    mesh = cast(bpy.types.Mesh, obj.data)
    _square(mesh, placement.ground_half_size(radius, length))
    obj.location = centre
    obj.rotation_euler = (0.0, 0.0, 0.0)
    obj.scale = (1.0, 1.0, 1.0)
    assign_material(obj, _ground_material(params.ground_noise, radius))
    return obj


def _square(mesh: bpy.types.Mesh, half: float) -> None:
    """One quad, side 2*half, in metres (so Object texture coordinates are metres too)."""
    corners = np.array([[-half, -half, 0.0], [half, -half, 0.0], [half, half, 0.0], [-half, half, 0.0]])
    if len(mesh.vertices) != 4 or len(mesh.polygons) != 1:
        mesh.clear_geometry()
        mesh.from_pydata(corners.tolist(), [], [(0, 1, 2, 3)])
    else:
        mesh.vertices.foreach_set("co", corners.ravel())
    mesh.update()


def _ground_material(noise: float, radius: float) -> bpy.types.Material:
    mat = tags.ensure_material("GROUND_MATERIAL", GROUND_MATERIAL)
    tree = nodes.fresh_tree(mat)
    coords = nodes.add(tree, "ShaderNodeTexCoord", -900)
    tex = nodes.add(tree, "ShaderNodeTexNoise", -700, noise_dimensions="3D")
    tex.inputs["Scale"].default_value = 1.5 / radius  # blotches a few tenths of R across
    tex.inputs["Detail"].default_value = 6.0
    tex.inputs["Roughness"].default_value = 0.55
    # Noise values crowd around 0.5: map [0.3, 0.7] onto grey +- noise, clamped.
    grey = nodes.add(tree, "ShaderNodeMapRange", -450, clamp=True)
    grey.inputs["From Min"].default_value = 0.3
    grey.inputs["From Max"].default_value = 0.7
    grey.inputs["To Min"].default_value = BASE_GREY * (1.0 - noise)
    grey.inputs["To Max"].default_value = BASE_GREY * (1.0 + noise)
    bsdf = principled_bsdf(tree)
    bsdf.inputs["Roughness"].default_value = 0.65
    nodes.link(tree, coords.outputs["Object"], tex.inputs["Vector"])
    nodes.link(tree, tex.outputs["Fac"], grey.inputs["Value"])
    nodes.link(tree, grey.outputs["Result"], bsdf.inputs["Base Color"])
    mat.diffuse_color = (BASE_GREY, BASE_GREY, BASE_GREY, 1.0)
    return mat
