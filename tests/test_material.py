"""Materials: one Principled-BSDF-into-Material-Output builder and one slot assignment for the
mirror and every studio object."""
from __future__ import annotations

from typing import Any

import bpy
import pytest

from scurve_addon import compat
from scurve_addon.defaults import MATERIAL_NAME, MaterialParams
from scurve_addon.material import assign_material, ensure_mirror_material, principled_bsdf
from scurve_addon.scene import setup_studio_scene


def shader(mat: bpy.types.Material) -> tuple[list[str], list[tuple[str, str]]]:
    tree = mat.node_tree
    links = [(lk.from_node.type, lk.to_socket.name) for lk in tree.links if lk.to_node.type == "OUTPUT_MATERIAL"]
    return sorted(n.type for n in tree.nodes if n.type in ("BSDF_PRINCIPLED", "OUTPUT_MATERIAL")), links


def test_principled_bsdf_builds_an_emptied_tree_once(clean_scene):
    mat = bpy.data.materials.new("t")
    tree = compat.ensure_node_tree(mat)
    tree.nodes.clear()
    bsdf = principled_bsdf(tree)
    assert bsdf.type == "BSDF_PRINCIPLED"
    assert shader(mat) == (["BSDF_PRINCIPLED", "OUTPUT_MATERIAL"], [("BSDF_PRINCIPLED", "Surface")])
    assert principled_bsdf(tree) == bsdf and len(tree.nodes) == 2  # found again, nothing added


def test_mirror_material_repairs_a_deleted_bsdf_and_keeps_the_output(clean_scene):
    mat = ensure_mirror_material(MaterialParams())
    tree = mat.node_tree
    output = next(n for n in tree.nodes if n.type == "OUTPUT_MATERIAL")
    tree.nodes.remove(next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"))
    assert ensure_mirror_material(MaterialParams(roughness=0.1)) == mat
    assert shader(mat) == (["BSDF_PRINCIPLED", "OUTPUT_MATERIAL"], [("BSDF_PRINCIPLED", "Surface")])
    assert next(n for n in tree.nodes if n.type == "OUTPUT_MATERIAL") == output
    bsdf: Any = next(n for n in tree.nodes if n.type == "BSDF_PRINCIPLED")
    assert bsdf.inputs["Roughness"].default_value == pytest.approx(0.1)
    assert bsdf.inputs["Metallic"].default_value == 1.0 and mat.name == MATERIAL_NAME


def test_assign_material_leaves_one_slot(clean_scene):
    mesh = bpy.data.meshes.new("m")
    obj = bpy.data.objects.new("o", mesh)
    first, second, mine = (bpy.data.materials.new(n) for n in ("a", "b", "mine"))
    mesh.materials.append(first)
    mesh.materials.append(second)
    assign_material(obj, mine)
    assert list(mesh.materials) == [mine]
    empty = bpy.data.objects.new("e", bpy.data.meshes.new("e"))
    assign_material(empty, mine)
    assert list(empty.data.materials) == [mine]


def test_studio_materials_are_one_principled_shader_in_one_slot(clean_scene):
    made: dict[str, Any] = setup_studio_scene(bpy.context)
    parts = ["ground", "red_cylinder", "green_cone", "blue_sphere"]
    for part in parts:
        obj = made[part]
        assert len(obj.data.materials) == 1, part
        assert shader(obj.active_material) == (["BSDF_PRINCIPLED", "OUTPUT_MATERIAL"],
                                               [("BSDF_PRINCIPLED", "Surface")]), part
    # run again: the trees are rebuilt, not grown
    again: dict[str, Any] = setup_studio_scene(bpy.context)
    for part in parts:
        assert shader(again[part].active_material)[0] == ["BSDF_PRINCIPLED", "OUTPUT_MATERIAL"], part
        assert len(again[part].data.materials) == 1, part
