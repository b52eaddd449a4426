"""Live parameters (obj.scurve) in real Blender: obj.scurve edits rebuild the mesh in place and
keep everything else; refusals; presets on existing mirrors; freeze and hand edits; undo;
the studio following the mirror; all-or-nothing registration."""
from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, cast

import bmesh
import bpy
import numpy as np
import pytest
from mathutils import Matrix

from scurve_addon import compat, geometry, live, mesh_data, presets, registration, smoothing, tagging
from scurve_addon.defaults import MATERIAL_NAME, PRESETS, SMOOTHING_MODIFIER_NAME, SurfaceParams
from scurve_addon.geometry import optics
from scurve_addon.scene import STUDIO_SURFACE_KEY

scurve_ops: Any = bpy.ops.scurve  # type: ignore[attr-defined]


def mesh(obj: bpy.types.Object) -> bpy.types.Mesh:
    assert obj.type == "MESH"
    return cast(bpy.types.Mesh, obj.data)


def params_of(obj: bpy.types.Object) -> Any:
    return cast(Any, obj).scurve


def build(**values: Any) -> bpy.types.Object:
    assert scurve_ops.build_mirror(**values) == {"FINISHED"}
    return bpy.context.active_object


def assert_geometry(obj: bpy.types.Object, params: SurfaceParams, half: bool = False) -> None:
    """The object's mesh is the surface of `params`: counts, faces and positions."""
    grid = geometry.half_patch(params) if half else geometry.full_surface(params)
    verts, loops, starts = mesh_data.read_mesh(mesh(obj))
    assert (len(verts), len(starts)) == (len(grid.verts), len(grid.starts))
    assert np.array_equal(loops, grid.loops) and np.array_equal(starts, grid.starts)
    assert np.allclose(verts, grid.verts, atol=1e-5 * max(params.radius, params.length))


def bsdf_roughness(mat: bpy.types.Material) -> float:
    node = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    return float(cast(Any, node.inputs["Roughness"]).default_value)


EDITS = [("radius", 2.0), ("length", 5.0), ("arc_segments", 32), ("rows", 4), ("match_heights", False),
         ("profile", "SMOOTH"), ("s_bend", 0.5), ("fit_limit_surface", False)]


@pytest.mark.parametrize("name, value", EDITS)
def test_each_parameter_rebuilds_the_mesh(clean_scene, name, value):
    obj = build()
    mesh_before = obj.data
    setattr(params_of(obj), name, value)
    expected = dataclasses.replace(SurfaceParams(), **{name: value})
    assert params_of(obj).message == ""
    assert getattr(params_of(obj), name) == pytest.approx(value) if isinstance(value, float) \
        else getattr(params_of(obj), name) == value
    assert tagging.stored_params(obj) == expected
    assert obj.data == mesh_before  # in place: the same datablock
    assert_geometry(obj, expected)
    assert len(bpy.data.objects) == 1 and len(bpy.data.meshes) == 1


def test_smoothing_levels_update_the_modifier(clean_scene):
    obj = build()
    params_of(obj).subdiv_levels = 1
    params_of(obj).render_levels = 4
    mods = [m for m in obj.modifiers if isinstance(m, bpy.types.SubsurfModifier)]
    assert [m.name for m in obj.modifiers] == [SMOOTHING_MODIFIER_NAME]
    assert (mods[0].levels, mods[0].render_levels) == (1, 4)
    assert (params_of(obj).subdiv_levels, params_of(obj).render_levels) == (1, 4)


def test_adaptive_subdivision_follows_the_switch_and_the_radius(clean_scene):
    """5.0: Cycles dices the mirror into edges of R/200 in object space, and an edit of the
    radius or of the switch reaches the modifier. 4.2 and 4.5 have no adaptive subdivision
    on the modifier: the render levels apply (smoothing.rendered_levels says which)."""
    obj = build(radius=2.0)
    mod = cast(bpy.types.SubsurfModifier, obj.modifiers[SMOOTHING_MODIFIER_NAME])
    assert smoothing.rendered_levels(tagging.stored_params(obj)) == (None if compat.HAS_ADAPTIVE_SUBDIVISION else 3)
    if not compat.HAS_ADAPTIVE_SUBDIVISION:
        assert not hasattr(mod, "use_adaptive_subdivision")
        return
    assert mod.use_adaptive_subdivision and mod.adaptive_space == "OBJECT"
    assert mod.adaptive_object_edge_length == pytest.approx(0.01)
    params_of(obj).radius = 0.5
    assert mod.adaptive_object_edge_length == pytest.approx(0.0025)
    params_of(obj).adaptive_subdivision = False
    assert not mod.use_adaptive_subdivision
    assert smoothing.rendered_levels(tagging.stored_params(obj)) == 3


def test_properties_share_the_operators_labels_and_limits(addon):
    props = cast(Any, bpy.types.Object.bl_rna.properties["scurve"]).fixed_type.properties
    op_props = scurve_ops.build_mirror.get_rna_type().properties
    for name in ("radius", "arc_segments", "s_bend", "profile", "roughness", "base_color"):
        ours, theirs = props[name], op_props[name]
        assert (ours.name, ours.description, ours.subtype) == (theirs.name, theirs.description, theirs.subtype)
        if ours.type in ("INT", "FLOAT"):
            assert (ours.hard_min, ours.hard_max, ours.soft_min, ours.soft_max) == \
                (theirs.hard_min, theirs.hard_max, theirs.soft_min, theirs.soft_max)
    assert props["radius"].unit == "LENGTH"


def test_an_edit_keeps_the_object_its_modifiers_material_and_properties(clean_scene):
    obj = build()
    mesh_name = obj.data.name
    obj.name = "My Mirror"
    bpy.ops.object.empty_add()
    parent = bpy.context.active_object
    collection = bpy.data.collections.new("Mirrors")
    clean_scene.collection.children.link(collection)
    collection.objects.link(obj)
    obj.parent = parent
    obj.location = (1.0, -2.0, 0.5)
    obj.rotation_euler = (0.1, 0.2, 1.3)
    obj.scale = (1.5, 1.5, 1.5)
    bevel = cast(bpy.types.BevelModifier, obj.modifiers.new("My Bevel", "BEVEL"))
    bevel.width, bevel.segments = 0.03, 3
    array = cast(bpy.types.ArrayModifier, obj.modifiers.new("My Array", "ARRAY"))
    array.count, array.relative_offset_displace[0] = 3, 1.25
    obj["my_note"] = "keep me"
    obj.data["my_mesh_note"] = 7
    material = obj.active_material
    matrix = obj.matrix_world.copy()
    collections = sorted(c.name for c in obj.users_collection)

    params_of(obj).arc_segments = 24
    params_of(obj).radius = 1.5

    assert params_of(obj).message == ""
    assert_geometry(obj, SurfaceParams(arc_segments=24, radius=1.5))
    assert (obj.name, obj.data.name) == ("My Mirror", mesh_name)
    assert obj.parent == parent and sorted(c.name for c in obj.users_collection) == collections
    assert np.allclose(np.array(obj.matrix_world), np.array(matrix), atol=1e-6)
    assert [m.name for m in obj.modifiers] == [SMOOTHING_MODIFIER_NAME, "My Bevel", "My Array"]
    assert (bevel.width, bevel.segments) == (pytest.approx(0.03), 3)
    assert (array.count, array.relative_offset_displace[0]) == (3, pytest.approx(1.25))
    assert obj["my_note"] == "keep me" and obj.data["my_mesh_note"] == 7
    assert list(obj.data.materials) == [material] and material.name == MATERIAL_NAME
    assert all(p.use_smooth for p in obj.data.polygons)


def test_step_by_step_surface_is_live(clean_scene):
    """The joined surface numbers its vertices its own way: an edit rewrites it as the grid."""
    scurve_ops.add_patch(arc_segments=8, rows=3)
    scurve_ops.match_heights()
    scurve_ops.duplicate_rotate_join()
    obj = bpy.context.active_object
    params_of(obj).radius = 2.0
    assert_geometry(obj, dataclasses.replace(tagging.stored_params(obj), radius=2.0))


@pytest.mark.parametrize("name, value, message", [
    ("s_bend", -3.0, "folds the surface over itself"),
    ("arc_segments", 2048, "over the limit"),
])
def test_refused_value_keeps_mesh_and_shown_value(clean_scene, capsys, name, value, message):
    obj = build(rows=1024) if name == "arc_segments" else build()
    before = mesh_data.read_vertices(mesh(obj))
    shown = getattr(params_of(obj), name)
    setattr(params_of(obj), name, value)
    assert getattr(params_of(obj), name) == shown  # the value the mesh was built with
    assert np.array_equal(mesh_data.read_vertices(mesh(obj)), before)
    assert message in params_of(obj).message
    assert message in capsys.readouterr().out  # background mode: printed
    params_of(obj).radius = 1.1  # the next good edit clears the message
    assert params_of(obj).message == ""


def test_patch_edits_what_applies_and_says_why_not(clean_scene):
    scurve_ops.add_patch(arc_segments=6, rows=2)
    patch = bpy.context.active_object
    params_of(patch).rows = 5
    assert_geometry(patch, dataclasses.replace(tagging.stored_params(patch), rows=5), half=True)
    assert len(mesh(patch).vertices) == 7 * 6
    reasons = live.not_applicable(patch)
    assert "step 4" in reasons["subdiv_levels"] and "step 5" in reasons["roughness"]
    params_of(patch).subdiv_levels = 1
    assert "no smoothing modifier" in params_of(patch).message and params_of(patch).subdiv_levels == 2
    params_of(patch).roughness = 0.5
    assert "no S-Curve mirror material" in params_of(patch).message
    assert not patch.data.materials and not patch.modifiers


def test_material_edit_of_a_single_mirror_edits_its_material(clean_scene):
    obj = build()
    params_of(obj).roughness = 0.25
    params_of(obj).base_color = (0.5, 0.6, 0.7)
    assert [m.name for m in bpy.data.materials] == [MATERIAL_NAME]
    assert bsdf_roughness(obj.active_material) == pytest.approx(0.25)
    assert params_of(obj).roughness == pytest.approx(0.25)
    assert tuple(params_of(obj).base_color) == pytest.approx((0.5, 0.6, 0.7))


def test_material_edit_of_a_shared_material_makes_the_mirrors_own_copy(clean_scene):
    first = build()
    second = build(location=(0.0, 10.0, 0.0))
    assert first.active_material == second.active_material
    params_of(second).roughness = 0.3
    assert first.active_material.name == MATERIAL_NAME
    assert bsdf_roughness(first.active_material) == pytest.approx(0.02)  # the other mirror unchanged
    assert second.active_material != first.active_material
    assert second.active_material.name.startswith(MATERIAL_NAME)
    assert bsdf_roughness(second.active_material) == pytest.approx(0.3)
    params_of(second).roughness = 0.4  # its own now: no further copy
    assert len(bpy.data.materials) == 2


@pytest.mark.parametrize("name", ["Recipe", "Kistefos-like"])
def test_preset_applied_to_a_mirror_equals_building_with_it(clean_scene, name):
    assert name in presets.preset_files()
    built = build(**PRESETS[name], roughness=0.02)
    expected = mesh_data.read_mesh(mesh(built))
    mirror = build(location=(0.0, 20.0, 0.0))
    built.select_set(False)
    assert scurve_ops.apply_preset(preset=name) == {"FINISHED"}
    got = mesh_data.read_mesh(mesh(mirror))
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    assert tagging.stored_params(mirror) == tagging.stored_params(built)
    assert params_of(mirror).profile == PRESETS[name]["profile"]


def test_users_own_preset_is_parsed_not_run(clean_scene, tmp_path):
    folder = presets.preset_dir()
    path = os.path.join(folder, "Mine.py")
    marker = tmp_path / "ran"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("import bpy\nop = bpy.context.active_operator\n\nop.arc_segments = 10\nop.rows = 3\n"
                 "op.location = (1.0, 2.0, 3.0)\nop.roughness = 0.125\n"
                 f"open({str(marker)!r}, 'w').close()\nop.radius = float('2')\n")
    try:
        assert presets.read_preset(path) == {"arc_segments": 10, "rows": 3, "location": (1.0, 2.0, 3.0),
                                             "roughness": 0.125}
        obj = build()
        assert scurve_ops.apply_preset(preset="Mine") == {"FINISHED"}
        assert not marker.exists()
        assert len(mesh(obj).vertices) == 11 * 7 and np.array_equal(np.array(obj.location), np.zeros(3))
        assert params_of(obj).roughness == pytest.approx(0.125) and params_of(obj).radius == 1.0
    finally:
        os.remove(path)


def test_apply_preset_refuses_without_an_scurve(clean_scene):
    bpy.ops.mesh.primitive_cube_add()
    with pytest.raises(RuntimeError, match="Select one or more S-Curve objects"):
        scurve_ops.apply_preset(preset="Recipe")


def test_freeze_makes_a_plain_mesh(clean_scene, capsys):
    obj = build()
    verts = mesh_data.read_vertices(mesh(obj))
    assert scurve_ops.freeze() == {"FINISHED"}
    assert tagging.role(obj) is None and obj.get("scurve_params") is None
    assert obj.get(tagging.GEOMETRY_KEY) is None
    assert [m.name for m in obj.modifiers] == [SMOOTHING_MODIFIER_NAME] and obj.active_material is not None
    params_of(obj).arc_segments = 8  # no longer live: refused, nothing rebuilt
    assert "not a live S-Curve object" in params_of(obj).message
    assert np.array_equal(mesh_data.read_vertices(mesh(obj)), verts)
    with pytest.raises(RuntimeError, match="Select one or more S-Curve objects"):
        scurve_ops.freeze()


def test_hand_edit_in_edit_mode_ends_live_editing(clean_scene):
    obj = build()
    bpy.ops.object.mode_set(mode="EDIT")
    assert live.state(obj) == live.EDIT_MODE
    params_of(obj).radius = 2.0
    assert "Edit Mode" in params_of(obj).message
    bpy.ops.object.mode_set(mode="OBJECT")
    assert live.state(obj) == live.LIVE  # in and out without a change: still live

    bpy.ops.object.mode_set(mode="EDIT")
    bm = bmesh.from_edit_mesh(mesh(obj))
    bm.verts.ensure_lookup_table()
    bm.verts[5].co.x += 0.1
    bmesh.update_edit_mesh(mesh(obj))
    bpy.ops.object.mode_set(mode="OBJECT")
    edited = mesh_data.read_vertices(mesh(obj))
    assert live.state(obj) == live.EDITED

    params_of(obj).radius = 2.0  # never silently overwritten
    assert "edited by hand" in params_of(obj).message and params_of(obj).radius == 1.0
    assert np.array_equal(mesh_data.read_vertices(mesh(obj)), edited)
    with pytest.raises(RuntimeError, match="edited by hand"):
        scurve_ops.apply_preset(preset="Recipe")

    assert scurve_ops.rebuild_from_parameters() == {"FINISHED"}  # discards the hand edit
    assert live.state(obj) == live.LIVE and params_of(obj).message == ""
    assert_geometry(obj, SurfaceParams())
    params_of(obj).radius = 2.0
    assert_geometry(obj, SurfaceParams(radius=2.0))


def test_hand_edit_then_freeze_keeps_the_edit(clean_scene):
    obj = build()
    mesh(obj).vertices[0].co.z -= 0.5
    edited = mesh_data.read_vertices(mesh(obj))
    assert live.state(obj) == live.EDITED
    scurve_ops.freeze()
    assert np.array_equal(mesh_data.read_vertices(mesh(obj)), edited) and live.state(obj) == live.NOT_SCURVE


def test_object_made_before_fingerprints_is_live(clean_scene):
    """Objects from files saved before live editing: the group reads their stored parameters."""
    obj = build(radius=1.5, rows=4)
    del obj[tagging.GEOMETRY_KEY]
    assert (params_of(obj).radius, params_of(obj).rows) == (1.5, 4)
    params_of(obj).rows = 5
    assert_geometry(obj, SurfaceParams(radius=1.5, rows=5))
    assert isinstance(obj.get(tagging.GEOMETRY_KEY), str)


def test_one_edit_is_one_undo_step(clean_scene):
    """Undo of a live edit restores the mesh and the shown value (memfile undo works in
    background mode with explicit pushes). Not testable without a window: that the UI pushes
    exactly one undo step per property change (Blender does so for properties of an ID); a
    script's assignment pushes none, as here."""
    obj = build()
    bpy.ops.ed.undo_push(message="before")
    params_of(obj).arc_segments = 8
    bpy.ops.ed.undo_push(message="arc segments 8")
    assert len(mesh(obj).vertices) == 9 * 65
    assert bpy.ops.ed.undo() == {"FINISHED"}
    obj = bpy.data.objects[0]  # undo reloads the data: fetch it again
    assert len(mesh(obj).vertices) == 33 * 65 and params_of(obj).arc_segments == 32
    assert live.state(obj) == live.LIVE


def test_studio_follows_the_mirror(clean_scene):
    obj = build()
    assert scurve_ops.setup_scene() == {"FINISHED"}
    assert clean_scene[STUDIO_SURFACE_KEY] == obj.name
    camera = clean_scene.camera
    sphere = next(o for o in clean_scene.objects if o.get("scurve_role") == "STUDIO_BLUE_SPHERE")
    sun = next(o for o in clean_scene.objects if o.get("scurve_role") == "STUDIO_SUN")
    cast(Any, sun.data).energy = 7.5  # the user's own studio settings survive
    clean_scene.cycles.samples = 77
    lens = cast(bpy.types.Camera, camera.data).lens = 50.0
    camera_before, sphere_before = camera.matrix_world.translation.copy(), sphere.location.copy()
    params_of(obj).radius = 2.0
    assert (camera.matrix_world.translation - camera_before).length > 0.5
    assert (sphere.location - sphere_before).length > 0.1
    assert cast(Any, sun.data).energy == 7.5 and clean_scene.cycles.samples == 77
    assert cast(bpy.types.Camera, camera.data).lens == lens


def test_studio_of_another_mirror_stays(clean_scene):
    first = build()
    scurve_ops.setup_scene()
    camera = clean_scene.camera.matrix_world.copy()
    second = build(location=(0.0, 15.0, 0.0))
    params_of(second).radius = 2.0
    assert clean_scene[STUDIO_SURFACE_KEY] == first.name
    assert clean_scene.camera.matrix_world == camera


def test_edit_dialog_and_context_menu(clean_scene):
    from scurve_addon.ui import menu_object_context

    assert menu_object_context in cast(Any, bpy.types.VIEW3D_MT_object_context_menu)._dyn_ui_initialize()
    bpy.ops.mesh.primitive_cube_add()
    with pytest.raises(RuntimeError, match="Select a live S-Curve"):
        scurve_ops.edit_mirror()
    build()
    assert scurve_ops.edit_mirror() == {"FINISHED"}


def test_transform_of_a_rotated_mirror_survives_a_resolution_change(clean_scene):
    obj = build()
    obj.matrix_world = Matrix.Translation((3.0, 1.0, 0.0)) @ Matrix.Rotation(math.radians(40), 4, "Z")
    before = np.array(obj.matrix_world)
    params_of(obj).rows = 40
    assert np.array_equal(np.array(obj.matrix_world), before)
    assert len(mesh(obj).vertices) == 33 * 81


# --- registration ---------------------------------------------------------------------

def registered() -> dict[str, bool]:
    from scurve_addon.ui import menu_add_mesh, menu_object_context

    return {
        "operator": hasattr(bpy.types, "SCURVE_OT_build_mirror"),
        "panel": hasattr(bpy.types, "VIEW3D_PT_scurve_edit"),
        "property": hasattr(bpy.types.Object, "scurve"),
        "add menu": menu_add_mesh in cast(Any, bpy.types.VIEW3D_MT_mesh_add)._dyn_ui_initialize(),
        "context menu": menu_object_context in cast(Any, bpy.types.VIEW3D_MT_object_context_menu)._dyn_ui_initialize(),
        "handler": live._on_depsgraph_update in bpy.app.handlers.depsgraph_update_post,
    }


def test_register_is_all_or_nothing(addon, monkeypatch):
    addon.unregister()
    try:
        assert not any(registered().values())

        def fail() -> list[str]:
            raise RuntimeError("simulated failure after classes and menus")

        monkeypatch.setattr(presets, "install", fail)
        with pytest.raises(RuntimeError, match="simulated failure"):
            registration.register()
        assert not any(registered().values()), registered()
        monkeypatch.undo()
    finally:
        addon.register()  # enabling again works
    assert all(registered().values()), registered()


def test_register_survives_a_blocked_preset_folder(addon, user_resources, capsys):
    folder = os.path.join(user_resources, "scripts", "presets", "operator", "scurve.build_mirror")
    aside = folder + ".aside"
    os.rename(folder, aside)
    try:
        with open(folder, "w", encoding="utf-8") as fh:  # a file where the folder should be
            fh.write("not a folder")
        for _ in range(2):
            addon.unregister()
            addon.register()
            assert all(registered().values()), registered()
        assert "presets not installed" in capsys.readouterr().out
        assert not os.path.exists(os.path.join(os.getcwd(), "Default.py"))
    finally:
        os.remove(folder)
        os.rename(aside, folder)


# --- the Edit section's layout ------------------------------------------------------------

class RecordingLayout:
    """Stands in for bpy.types.UILayout, which exists only while Blender draws a window:
    records what a draw function puts in the panel and checks each property and operator
    against the real registered RNA (a misspelt name fails here, not in the user's UI)."""

    def __init__(self, log: list[tuple[str, str]]) -> None:
        self.log, self.active, self.enabled = log, True, True

    def _child(self, *_args: Any, **_kwargs: Any) -> RecordingLayout:
        return RecordingLayout(self.log)

    box = row = column = split = _child

    def label(self, text: str = "", **_kwargs: Any) -> None:
        self.log.append(("label", text))

    def separator(self, **_kwargs: Any) -> None:
        pass

    def prop(self, owner: Any, name: str, **_kwargs: Any) -> None:
        assert name in owner.bl_rna.properties, name
        self.log.append(("prop", name))

    def operator(self, idname: str, **_kwargs: Any) -> None:
        module, name = idname.split(".")
        getattr(getattr(bpy.ops, module), name).get_rna_type()  # raises for an unknown operator
        self.log.append(("operator", idname))

    def operator_menu_enum(self, idname: str, prop: str, **kwargs: Any) -> None:
        self.operator(idname)
        module, name = idname.split(".")
        assert prop in getattr(getattr(bpy.ops, module), name).get_rna_type().properties


def drawn(obj: bpy.types.Object) -> list[tuple[str, str]]:
    from scurve_addon.operators.live_edit import draw_live_edit

    log: list[tuple[str, str]] = []
    draw_live_edit(cast(Any, RecordingLayout(log)), obj)
    return log


def test_edit_section_shows_every_parameter_counts_and_quality(clean_scene):
    obj = build()
    log = drawn(obj)
    props = {name for kind, name in log if kind == "prop"}
    assert props == {*live.SURFACE_FIELDS, *live.MATERIAL_FIELDS}
    labels = [text for kind, text in log if kind == "label"]
    assert {"Shape", "Resolution", "Smoothing", "Material"} <= set(labels)
    assert "Vertices 2,145   Faces 2,048" in labels and "Not measured since the last change" in labels
    assert ("operator", "scurve.freeze") in log and ("operator", "scurve.apply_preset") in log
    scurve_ops.quality_report()
    labels = [text for kind, text in drawn(obj) if kind == "label"]
    assert any(text.startswith("Max distance") for text in labels)
    # the rendered normals in two lines: what Cycles renders (adaptive on 5.0), the worst region
    rendered = obj["scurve_quality"]["rendered_normals"]
    first, second = optics.describe(rendered)
    assert first in labels and second in labels
    tessellation = "adaptive" if compat.HAS_ADAPTIVE_SUBDIVISION else "level 3"
    assert first.startswith(f"Normals ({tessellation}) med/p99/max ") and first.endswith(" deg")
    assert second == f"Worst region {rendered['worst_region']}, " \
        f"max {optics.deg(rendered['regions'][rendered['worst_region']]['max_deg'])} deg"
    params_of(obj).s_bend = -3.0  # refused: the panel says why
    assert "folds the surface over itself" in " ".join(text for kind, text in drawn(obj) if kind == "label")


def test_edit_section_says_why_parameters_do_not_apply(clean_scene):
    scurve_ops.add_patch()
    patch = bpy.context.active_object
    log = drawn(patch)
    labels = [text for kind, text in log if kind == "label"]
    assert "A patch has no smoothing modifier (step 4)" in labels
    assert "No mirror material yet: step 5 adds it" in labels
    assert not {"subdiv_levels", "roughness"} & {name for kind, name in log if kind == "prop"}


def test_edit_section_offers_rebuild_after_a_hand_edit(clean_scene):
    obj = build()
    mesh(obj).vertices[3].co.x += 0.2
    log = drawn(obj)
    assert ("operator", "scurve.rebuild_from_parameters") in log
    assert not any(kind == "prop" for kind, _ in log)


def test_presets_install_skips_a_file_it_cannot_write(addon, user_resources):
    folder = presets.preset_dir()
    path = os.path.join(folder, "Recipe.py")
    aside = path + ".aside"
    os.rename(path, aside)
    try:
        os.symlink(os.path.join(user_resources, "no", "such", "folder", "Recipe.py"), path)  # open() fails
        assert presets.install() == []  # no exception, nothing written
    finally:
        os.remove(path)
        os.rename(aside, path)


def test_live_properties_are_not_animatable(addon):
    props = cast(Any, bpy.types.Object.bl_rna.properties["scurve"]).fixed_type.properties
    assert not any(props[name].is_animatable for name in (*live.SURFACE_FIELDS, *live.MATERIAL_FIELDS))
