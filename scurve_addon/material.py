"""The polished-metal mirror material (Principled BSDF, metallic 1, low roughness)."""
from __future__ import annotations

import bpy

from . import compat
from .defaults import MATERIAL_NAME, MaterialParams


def ensure_mirror_material(params: MaterialParams) -> bpy.types.Material:
    """The named material, created once and reused (its settings updated) afterwards."""
    mat: bpy.types.Material | None = bpy.data.materials.get(MATERIAL_NAME)
    if mat is None:
        mat = bpy.data.materials.new(MATERIAL_NAME)
    tree = compat.ensure_node_tree(mat)
    bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
    if bsdf is None:
        bsdf = tree.nodes.new("ShaderNodeBsdfPrincipled")
        out = next((n for n in tree.nodes if n.type == "OUTPUT_MATERIAL"), None) or \
            tree.nodes.new("ShaderNodeOutputMaterial")
        tree.links.new(bsdf.outputs["BSDF"], out.inputs["Surface"])
    bsdf.inputs["Base Color"].default_value = (*params.base_color, 1.0)
    bsdf.inputs["Metallic"].default_value = 1.0
    bsdf.inputs["Roughness"].default_value = params.roughness
    mat.diffuse_color = (*params.base_color, 1.0)  # viewport solid colour
    mat.metallic = 1.0
    mat.roughness = params.roughness
    return mat


def assign_material(obj: bpy.types.Object, mat: bpy.types.Material) -> None:
    """Make `mat` the object's only material slot (used by all faces)."""
    if obj.data.materials:
        obj.data.materials[0] = mat
        while len(obj.data.materials) > 1:
            obj.data.materials.pop()
    else:
        obj.data.materials.append(mat)
