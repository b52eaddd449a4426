"""The operators in real Blender (bpy wheel): geometry of the evaluated mesh, the step-by-step
path, idempotent modifiers and materials, refusals in the wrong context."""
from __future__ import annotations

import math
from typing import Any, cast

import bpy
import numpy as np
import pytest

from scurve_addon import mesh_data
from scurve_addon.defaults import MATERIAL_NAME, SMOOTHING_MODIFIER_NAME
from scurve_addon.geometry import grid

# Our operators: bpy.ops.scurve exists once they are registered, which the stubs that mypy
# reads (fake-bpy-module) cannot know.
scurve_ops: Any = bpy.ops.scurve  # type: ignore[attr-defined]


def mesh(obj: bpy.types.Object) -> bpy.types.Mesh:
    assert obj.type == "MESH"
    return cast(bpy.types.Mesh, obj.data)


def evaluated_mesh(obj) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dg = bpy.context.evaluated_depsgraph_get()
    ev = obj.evaluated_get(dg)
    mesh = ev.to_mesh()
    try:
        return mesh_data.read_mesh(mesh)
    finally:
        ev.to_mesh_clear()


def boundary_vertices(verts, loops, starts) -> np.ndarray:
    edges, counts = grid.edge_face_counts(loops, starts)
    return verts[np.unique(edges[counts == 1])]


def test_build_mirror_defaults_keep_edges_straight(clean_scene):
    assert scurve_ops.build_mirror() == {"FINISHED"}
    obj = bpy.context.active_object
    assert len(obj.data.vertices) == 33 * 65 and len(obj.data.polygons) == 2 * 32 * 32
    mods = [m for m in obj.modifiers if isinstance(m, bpy.types.SubsurfModifier)]
    assert len(mods) == 1 and (mods[0].levels, mods[0].render_levels) == (2, 3)
    assert obj.active_material.name == MATERIAL_NAME
    v, loops, starts = evaluated_mesh(obj)
    assert len(v) > 8 * len(obj.data.vertices)  # really subdivided
    radius, length = 1.0, 3.0
    edge = boundary_vertices(v, loops, starts)
    edge = edge[np.abs(edge[:, 1]) < length - 1e-5]  # leave out the two half-circle ends
    top, bottom = edge[edge[:, 2] > radius], edge[edge[:, 2] < radius]
    assert len(top) == len(bottom) == 2 * 32 * 4 - 1  # every evaluated edge vertex, level 2
    # Along the whole length, the centre included: no dips.
    assert np.abs(top[:, 2] - 2 * radius).max() <= 1e-4 * radius
    assert np.abs(bottom[:, 2]).max() <= 1e-4 * radius
    assert np.abs(top[:, 1]).min() < 1e-6 and np.abs(top[:, 1]).max() > length - 0.1
    # No doubled vertices on the seam, in the base mesh or the evaluated one.
    base = mesh_data.read_vertices(mesh(obj))
    assert grid.duplicate_vertex_count(base, 1e-6) == 0
    seam = v[np.hypot(v[:, 0], v[:, 1]) < 1e-6]
    assert grid.duplicate_vertex_count(seam, 1e-6) == 0 and len(seam) > 17


def test_unwelded_seam_shows_the_recipes_dip(clean_scene):
    """The recipe's unwelded join with the default boundary rule dips at the centre."""
    from scurve_addon import geometry
    from scurve_addon.defaults import SurfaceParams
    from scurve_addon.smoothing import ensure_smoothing

    h = geometry.half_patch(SurfaceParams(fit_limit_surface=False))
    verts, loops, starts, merged = grid.rotate_join_weld(h.verts, h.loops, h.starts, tolerance=-1.0)
    assert merged == 0
    obj = bpy.data.objects.new("unwelded", mesh_data.new_mesh("unwelded", verts, loops, starts))
    bpy.context.scene.collection.objects.link(obj)
    ensure_smoothing(obj, 2, 3).boundary_smooth = "ALL"  # the recipe's modifier default
    v, _, _ = evaluated_mesh(obj)
    centre_top = v[(np.abs(v[:, 1]) < 1e-6) & (v[:, 2] > 1.5)][:, 2].max()
    assert 2.0 - centre_top > 1e-3


@pytest.mark.parametrize("n, rows", [(8, 2), (24, 5)])
def test_resolution_changes_counts(clean_scene, n, rows):
    scurve_ops.build_mirror(arc_segments=n, rows=rows)
    mesh = bpy.context.active_object.data
    assert len(mesh.vertices) == (n + 1) * (2 * rows + 1)
    assert len(mesh.polygons) == 2 * rows * n


def test_step_by_step_path(clean_scene):
    n, rows = 16, 3
    assert scurve_ops.add_patch(arc_segments=n, rows=rows, match_heights=False) == {"FINISHED"}
    patch = bpy.context.active_object
    v = mesh_data.read_vertices(mesh(patch)).reshape(n + 1, rows + 1, 3)
    assert np.allclose(v[:, 0, 2], np.linspace(0, 2, n + 1), atol=1e-6)  # evenly spaced centre line

    assert scurve_ops.match_heights() == {"FINISHED"}
    v = mesh_data.read_vertices(mesh(patch)).reshape(n + 1, rows + 1, 3)
    theta = math.pi * np.arange(n + 1) / n
    assert np.allclose(v[..., 2], (1 - np.cos(theta))[:, None], atol=1e-6)

    assert scurve_ops.duplicate_rotate_join() == {"FINISHED"}
    surface = bpy.context.active_object
    assert surface == patch and surface["scurve_role"] == "SURFACE"
    verts, loops, starts = mesh_data.read_mesh(mesh(surface))
    assert len(verts) == (n + 1) * (2 * rows + 1)  # the centre line's n + 1 vertices merged
    assert grid.duplicate_vertex_count(verts, 1e-6) == 0
    _, counts = grid.edge_face_counts(loops, starts)
    assert counts.max() == 2 and grid.directed_edge_conflicts(loops, starts) == 0
    assert np.allclose(verts[:, 0], verts[:, 1] / 3.0 * np.sin(np.arccos(1 - verts[:, 2])), atol=1e-5)

    assert scurve_ops.add_smoothing() == {"FINISHED"}
    assert scurve_ops.add_smoothing(subdiv_levels=1, render_levels=2) == {"FINISHED"}
    mods = list(surface.modifiers)
    assert [m.name for m in mods] == [SMOOTHING_MODIFIER_NAME]  # updated, never stacked
    assert isinstance(mods[0], bpy.types.SubsurfModifier)
    assert (mods[0].levels, mods[0].render_levels, mods[0].boundary_smooth) == (1, 2, "PRESERVE_CORNERS")
    assert all(p.use_smooth for p in surface.data.polygons)

    assert scurve_ops.add_mirror_material(roughness=0.05) == {"FINISHED"}
    assert scurve_ops.add_mirror_material() == {"FINISHED"}
    assert [m.name for m in bpy.data.materials] == [MATERIAL_NAME]  # reused
    bsdf = next(nd for nd in surface.active_material.node_tree.nodes if nd.type == "BSDF_PRINCIPLED")
    socket_values: dict[str, Any] = {s.name: getattr(s, "default_value", None) for s in bsdf.inputs}
    assert socket_values["Metallic"] == 1.0
    assert socket_values["Roughness"] == pytest.approx(0.02)


def test_build_mirror_with_patch_resolution_redo(clean_scene):
    """Changing the resolution in the redo panel re-executes: one object, new counts."""
    scurve_ops.build_mirror(arc_segments=8, rows=2)
    scurve_ops.build_mirror(arc_segments=12, rows=4)
    counts = sorted(len(o.data.vertices) for o in bpy.data.objects)
    assert counts == [9 * 5, 13 * 9]


@pytest.mark.parametrize("op", ["match_heights", "duplicate_rotate_join"])
def test_patch_steps_refuse_without_a_patch(clean_scene, op):
    with pytest.raises(RuntimeError, match="Select an S-Curve patch first"):
        getattr(scurve_ops, op)()
    # a user's own object is never touched
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    before = mesh_data.read_vertices(mesh(cube))
    with pytest.raises(RuntimeError, match="Select an S-Curve patch first"):
        getattr(scurve_ops, op)()
    assert np.array_equal(mesh_data.read_vertices(mesh(cube)), before)
    assert not cube.modifiers


@pytest.mark.parametrize("op", ["add_smoothing", "add_mirror_material", "quality_report"])
def test_surface_steps_refuse_on_user_objects(clean_scene, op):
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    with pytest.raises(RuntimeError, match="Select an S-Curve patch or surface first"):
        getattr(scurve_ops, op)()
    assert not cube.modifiers and not cube.data.materials


def test_patch_steps_refuse_on_a_surface(clean_scene):
    scurve_ops.build_mirror()
    with pytest.raises(RuntimeError, match="Select an S-Curve patch first"):
        scurve_ops.duplicate_rotate_join()


def test_match_heights_refuses_an_edited_patch(clean_scene):
    scurve_ops.add_patch(arc_segments=4, rows=2)
    patch = bpy.context.active_object
    patch.data.vertices.add(1)
    with pytest.raises(RuntimeError, match="vertices were added or removed"):
        scurve_ops.match_heights()


def test_folding_parameters_are_reported_not_raised(clean_scene):
    with pytest.raises(RuntimeError, match="folds the surface over itself"):
        scurve_ops.build_mirror(s_bend=-3.0)
    assert len(bpy.data.objects) == 0


def menu_draw_functions(menu: Any) -> list[Any]:
    """The draw functions appended to a Blender menu (Blender's private helper; not in the stubs)."""
    return menu._dyn_ui_initialize()


def test_add_menu_lists_the_mirror(addon):
    from scurve_addon.ui import menu_add_mesh

    assert menu_add_mesh in menu_draw_functions(bpy.types.VIEW3D_MT_mesh_add)


def test_register_unregister_repeatedly(addon):
    for _ in range(3):
        addon.unregister()
        assert not hasattr(bpy.types, "SCURVE_OT_build_mirror")
        addon.register()
        assert hasattr(bpy.types, "SCURVE_OT_build_mirror")
    from scurve_addon.ui import menu_add_mesh

    assert menu_draw_functions(bpy.types.VIEW3D_MT_mesh_add).count(menu_add_mesh) == 1


@pytest.mark.parametrize("op", ["build_mirror", "add_patch"])
def test_adding_refuses_edit_mode(clean_scene, op):
    """In Edit Mode Blender would merge the new mesh into the user's edited mesh."""
    bpy.ops.mesh.primitive_cube_add()
    cube = bpy.context.active_object
    bpy.ops.object.mode_set(mode="EDIT")
    with pytest.raises(RuntimeError, match="Switch to Object Mode first"):
        getattr(scurve_ops, op)()
    bpy.ops.object.mode_set(mode="OBJECT")
    assert len(cube.data.vertices) == 8 and len(bpy.data.objects) == 1
