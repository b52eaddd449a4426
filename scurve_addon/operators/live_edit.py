"""Editing an existing S-curve object: its live parameters (scurve_addon.live) in the sidebar
and a dialog, presets applied to it, rebuilding it from its parameters, freezing it."""
from __future__ import annotations

import textwrap
from typing import Any, cast

import bpy
from bpy.props import EnumProperty

from .. import live, presets, tagging
from ..defaults import QUALITY_KEY, ROLE_PATCH
from ..geometry import optics
from .common import SCURVE_ROLES, OperatorResult, ScurveObjectOperator, active_object
from .draw import draw_adaptive, draw_surface_props
from .quality_report import SCURVE_OT_quality_report

NEEDS_LIVE = "Select a live S-Curve patch or surface first (in Object Mode)"
NEEDS_SELECTED = "Select one or more S-Curve objects first (in Object Mode)"


def selected_scurves(context: bpy.types.Context) -> list[bpy.types.Object]:
    """The selected S-curve objects in Object Mode, the active one first."""
    objs = [o for o in getattr(context, "selected_objects", None) or [] if tagging.role(o) in SCURVE_ROLES]
    active = active_object(context, SCURVE_ROLES)
    if active is not None and active not in objs:
        objs.append(active)
    objs.sort(key=lambda o: o != active)
    return [o for o in objs if o.mode == "OBJECT"]


def draw_live_edit(layout: bpy.types.UILayout, obj: bpy.types.Object) -> None:
    """The Edit section: state, parameters (Shape, Resolution, Smoothing, Material), counts."""
    role = tagging.role(obj)
    state = live.state(obj, cached=True)
    layout.label(text=f"{obj.name} ({'patch' if role == ROLE_PATCH else 'surface'})", icon="OBJECT_DATA")
    group: Any = obj.scurve  # type: ignore[attr-defined]
    if state == live.EDIT_MODE:
        layout.label(text="In Edit Mode: parameters apply in Object Mode.", icon="EDITMODE_HLT")
        layout.label(text="Changing the mesh by hand ends live editing.")
        return
    if state == live.EDITED:
        box = layout.box()
        box.label(text="Edited by hand: the parameters no longer", icon="ERROR")
        box.label(text="describe the mesh, so edits are refused.")
        row = box.row(align=True)
        row.operator(SCURVE_OT_rebuild_from_parameters.bl_idname, icon="FILE_REFRESH")
        row.operator(SCURVE_OT_freeze.bl_idname, icon="FREEZE")
        return
    if group.message:
        col = layout.column(align=True)
        for i, line in enumerate(textwrap.wrap(group.message, 42)):
            col.label(text=line, icon="ERROR" if i == 0 else "BLANK1")

    skip = live.not_applicable(obj)
    is_surface = role != ROLE_PATCH
    draw_surface_props(layout, group, include_smoothing=is_surface)
    if is_surface and "subdiv_levels" in skip:
        layout.label(text="No smoothing modifier yet: step 4 adds it", icon="INFO")
    elif not is_surface:
        box = layout.box()
        box.label(text="Smoothing", icon="MOD_SUBSURF")
        if "subdiv_levels" in skip:
            box.label(text="A patch has no smoothing modifier (step 4)", icon="INFO")
        else:
            col = box.column(align=True)
            col.prop(group, "subdiv_levels")
            col.prop(group, "render_levels")
            draw_adaptive(col, group)

    box = layout.box()
    box.label(text="Material", icon="MATERIAL")
    if "roughness" in skip:
        box.label(text="No mirror material yet: step 5 adds it", icon="INFO")
    else:
        box.prop(group, "roughness")
        box.prop(group, "base_color")

    mesh = obj.data
    box = layout.box()
    box.label(text=f"Vertices {len(mesh.vertices):,}   Faces {len(mesh.polygons):,}")
    box.operator(SCURVE_OT_quality_report.bl_idname, icon="VIEWZOOM")
    quality = obj.get(QUALITY_KEY)
    if quality:
        col = box.column(align=True)
        col.label(text=f"Max distance {quality['max_distance_rel'] * 100:.3f} % R")
        col.label(text=f"Median distance {quality['median_distance_rel'] * 100:.4f} % R")
        rendered = quality.get("rendered_normals")
        if rendered:  # a report stored before rendered normals were measured has none
            for line in optics.describe(rendered):
                col.label(text=line)
        else:
            col.label(text=f"Max normal error {quality['max_normal_error_deg']:.2f} deg")
        col.label(text=f"Top / bottom edge {quality['top_edge_deviation']:.1e} / "
                  f"{quality['bottom_edge_deviation']:.1e} m")
        col.label(text=f"Seam duplicates {quality['seam_duplicate_vertices']}, "
                  f"non-manifold edges {quality['non_manifold_edges']}")
    else:
        box.label(text="Not measured since the last change")
    row = layout.row(align=True)
    row.operator_menu_enum(SCURVE_OT_apply_preset.bl_idname, "preset", text="Apply Preset", icon="PRESET")
    row.operator(SCURVE_OT_freeze.bl_idname, icon="FREEZE")


class SCURVE_OT_edit_mirror(ScurveObjectOperator, bpy.types.Operator):
    """Edit the parameters of the active S-Curve mirror or patch (the mesh follows as you change them)"""

    bl_idname = "scurve.edit_mirror"
    bl_label = "Edit S-Curve Mirror"
    bl_options = {"REGISTER"}

    needs = NEEDS_LIVE
    changes_shape = False

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OperatorResult:
        return context.window_manager.invoke_popup(self, width=320)

    def draw(self, context: bpy.types.Context) -> None:
        obj = active_object(context, SCURVE_ROLES)
        if obj is not None:
            draw_live_edit(self.layout, obj)

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        # From a script there is nothing to show: set obj.scurve's properties instead.
        self.report({"INFO"}, f"Set the parameters of '{obj.name}' on obj.scurve")
        return {"FINISHED"}


class SCURVE_OT_rebuild_from_parameters(ScurveObjectOperator, bpy.types.Operator):
    """Rebuild the active S-Curve object from its parameters, discarding edits made to its mesh by hand"""

    bl_idname = "scurve.rebuild_from_parameters"
    bl_label = "Rebuild from Parameters"
    bl_options = {"REGISTER", "UNDO"}

    needs = NEEDS_LIVE

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        try:
            live.rebuild_from_parameters(obj)
        except ValueError as err:
            self.report({"ERROR"}, str(err))
            return {"CANCELLED"}
        obj.scurve.property_unset("message")  # type: ignore[attr-defined]
        self.report({"INFO"}, f"Rebuilt '{obj.name}' from its parameters")
        return {"FINISHED"}


class SelectedScurvesOperator:
    """Mix-in for the operators that act on the selected S-curve objects: grey out (with the
    reason) when there is none."""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not selected_scurves(context):
            cast(Any, cls).poll_message_set(NEEDS_SELECTED)
            return False
        return True


class SCURVE_OT_freeze(SelectedScurvesOperator, bpy.types.Operator):
    """Make the selected S-Curve objects plain meshes: geometry, modifiers and material stay, """ \
        """the parameters go (they are no longer live)"""

    bl_idname = "scurve.freeze"
    bl_label = "Freeze"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        objs = selected_scurves(context)
        if not objs:
            self.report({"ERROR"}, NEEDS_SELECTED)
            return {"CANCELLED"}
        for obj in objs:
            live.freeze(obj)
        self.report({"INFO"}, f"Froze {', '.join(o.name for o in objs)}: plain meshes now")
        return {"FINISHED"}


# Blender keeps only pointers to the strings of a dynamic enum's items: hold them here.
_preset_items: list[tuple[str, str, str]] = []


def _list_presets(_self: Any, _context: Any) -> list[tuple[str, str, str]]:
    _preset_items[:] = [(name, bpy.path.display_name(name), path) for name, path in presets.preset_files().items()]
    return _preset_items or [("NONE", "(no presets)", "No preset files found")]


class SCURVE_OT_apply_preset(SelectedScurvesOperator, bpy.types.Operator):
    """Apply an S-Curve Mirror preset (Default, Recipe, Kistefos-like, your own) to the selected S-Curve objects"""

    bl_idname = "scurve.apply_preset"
    bl_label = "Apply S-Curve Preset"
    bl_options = {"REGISTER", "UNDO"}
    bl_property = "preset"

    preset: EnumProperty(name="Preset", description="A preset of Add > Mesh > S-Curve Mirror",  # type: ignore[valid-type]
                         items=_list_presets)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        path = presets.preset_files().get(self.preset)
        if path is None:
            self.report({"ERROR"}, f"No preset named {self.preset!r}")
            return {"CANCELLED"}
        try:
            values = presets.read_preset(path)
        except (OSError, SyntaxError, ValueError) as err:
            self.report({"ERROR"}, f"Cannot read the preset {path}: {err}")
            return {"CANCELLED"}
        done, refused = [], []
        for obj in selected_scurves(context):
            try:
                live.apply_values(obj, values, strict=False, context=context)
            except ValueError as err:
                refused.append(str(err))
            else:
                done.append(obj.name)
        for message in refused:
            self.report({"WARNING"}, message)
        if not done:
            self.report({"ERROR"}, f"Preset {self.preset!r} applied to no object: " + "; ".join(refused))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Preset {self.preset!r} applied to {', '.join(done)}")
        return {"FINISHED"}
