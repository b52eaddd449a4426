"""The polished-metal mirror material (Principled BSDF, metallic 1, low roughness)."""
from __future__ import annotations

from typing import Any

import bpy

from . import compat
from .defaults import MATERIAL_NAME, MaterialParams


def ensure_mirror_material(params: MaterialParams) -> bpy.types.Material:
    """The named material, created once and reused (its settings updated) afterwards."""
    mat: bpy.types.Material | None = bpy.data.materials.get(MATERIAL_NAME)
    if mat is None:
        mat = bpy.data.materials.new(MATERIAL_NAME)
    bsdf = principled_bsdf(compat.ensure_node_tree(mat))
    bsdf.inputs["Base Color"].default_value = (*params.base_color, 1.0)
    bsdf.inputs["Metallic"].default_value = 1.0
    bsdf.inputs["Roughness"].default_value = params.roughness
    mat.diffuse_color = (*params.base_color, 1.0)  # viewport solid colour
    mat.metallic = 1.0
    mat.roughness = params.roughness
    return mat


def principled_bsdf(tree: Any, x: float = -200.0) -> Any:
    """The material node tree's Principled BSDF, linked into its Material Output.

    Each node is made where the tree has none (placed at `x`, the output to its right), so
    this builds the whole shader in an emptied tree (the studio's materials) and keeps the
    nodes of an existing one (the mirror material, reused on every run).
    """
    bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        bsdf = tree.nodes.new("ShaderNodeBsdfPrincipled")
        bsdf.location = (x, 0.0)
    out = next((n for n in tree.nodes if n.type == "OUTPUT_MATERIAL"), None)
    if out is None:
        out = tree.nodes.new("ShaderNodeOutputMaterial")
        out.location = (x + 300.0, 0.0)
    tree.links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    return bsdf


def assign_material(obj: bpy.types.Object, mat: bpy.types.Material) -> None:
    """Make `mat` the object's only material slot (used by all faces): the mirror and
    every studio object."""
    if obj.data.materials:
        obj.data.materials[0] = mat
        while len(obj.data.materials) > 1:
            obj.data.materials.pop()
    else:
        obj.data.materials.append(mat)
