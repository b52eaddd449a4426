"""A red cylinder, a green cone and a blue sphere close to the mirror's concave side.

Their distorted reflections are the recipe's way of judging the mirror. The meshes are
made once at unit size (base at z = 0) and sized by the object's scale, so later runs
only move and scale them.
"""
from __future__ import annotations

from collections.abc import Callable

import bmesh
import bpy
from mathutils import Matrix, Vector

from ..defaults import SurfaceParams
from ..material import assign_material, principled_bsdf
from . import nodes, placement, tags

# role -> (object name, base colour (linear RGB))
OBJECTS: dict[str, tuple[str, tuple[float, float, float]]] = {
    "RED_CYLINDER": ("S-Curve Studio Red Cylinder", (0.80, 0.015, 0.012)),
    "GREEN_CONE": ("S-Curve Studio Green Cone", (0.02, 0.60, 0.025)),
    "BLUE_SPHERE": ("S-Curve Studio Blue Sphere", (0.015, 0.04, 0.80)),
}
SEGMENTS = 48


def ensure_test_objects(scene: bpy.types.Scene, surface: SurfaceParams, frame: Matrix,
                        scale: float) -> dict[str, bpy.types.Object]:
    """The three objects, placed in the mirror's frame (`frame`: its local -> world, upright,
    including the mirror's uniform `scale`)."""
    out = {}
    for spot in placement.place_test_objects(surface.radius, surface.length, surface.profile, surface.s_bend):
        name, colour = OBJECTS[spot.role]
        obj = tags.ensure_object(scene, spot.role, name, _mesh_maker(spot.role, name))
        obj.location = frame @ Vector(spot.location)
        obj.rotation_euler = frame.to_3x3().normalized().to_euler()
        is_sphere = spot.role == "BLUE_SPHERE"
        z_scale = spot.height / (2.0 if is_sphere else 1.0)
        obj.scale = (spot.radius * scale, spot.radius * scale, z_scale * scale)
        assign_material(obj, _material(spot.role, name, colour))
        out[spot.role] = obj
    return out


def remove_test_objects(scene: bpy.types.Scene) -> None:
    for role in OBJECTS:
        tags.remove_object(scene, role)


def _mesh_maker(role: str, name: str) -> Callable[[], bpy.types.Mesh]:
    def make() -> bpy.types.Mesh:
        bm = bmesh.new()
        try:
            if role == "BLUE_SPHERE":
                bmesh.ops.create_uvsphere(bm, u_segments=SEGMENTS, v_segments=SEGMENTS // 2, radius=1.0,
                                          matrix=Matrix.Translation((0.0, 0.0, 1.0)))
            else:
                top = 1.0 if role == "RED_CYLINDER" else 0.0
                bmesh.ops.create_cone(bm, cap_ends=True, segments=SEGMENTS, radius1=1.0, radius2=top,
                                      depth=1.0, matrix=Matrix.Translation((0.0, 0.0, 0.5)))
            for face in bm.faces:  # smooth sides, flat caps
                face.smooth = abs(face.normal.z) < 0.99
            mesh = bpy.data.meshes.new(name)
            bm.to_mesh(mesh)
        finally:
            bm.free()
        return mesh
    return make


def _material(role: str, name: str, colour: tuple[float, float, float]) -> bpy.types.Material:
    mat = tags.ensure_material(role + "_MATERIAL", name)
    tree = nodes.fresh_tree(mat)
    bsdf = principled_bsdf(tree)
    bsdf.inputs["Base Color"].default_value = (*colour, 1.0)
    bsdf.inputs["Roughness"].default_value = 0.35
    mat.diffuse_color = (*colour, 1.0)
    return mat

