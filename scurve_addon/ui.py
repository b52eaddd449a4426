"""The "S-Curve" sidebar tab, the Add > Mesh menu entries and the object context menu entry."""
from __future__ import annotations

from typing import TYPE_CHECKING

import bpy

from . import tagging
from .operators.add_mirror_material import SCURVE_OT_add_mirror_material
from .operators.add_patch import SCURVE_OT_add_patch
from .operators.add_smoothing import SCURVE_OT_add_smoothing
from .operators.build_mirror import SCURVE_OT_build_mirror
from .operators.common import SCURVE_ROLES
from .operators.duplicate_rotate_join import SCURVE_OT_duplicate_rotate_join
from .operators.live_edit import SCURVE_OT_edit_mirror, draw_live_edit
from .operators.match_heights import SCURVE_OT_match_heights
from .operators.render_jobs import draw_render_section
from .operators.setup_scene import SCURVE_OT_setup_scene

if TYPE_CHECKING:  # fake-bpy-module's enum of icon names
    from bpy.stub_internal.rna_enums import IconItems

STEPS: tuple[tuple[str, str, IconItems], ...] = (
    (SCURVE_OT_add_patch.bl_idname, "1. Add Patch", "MESH_GRID"),
    (SCURVE_OT_match_heights.bl_idname, "2. Match Heights", "ALIGN_MIDDLE"),
    (SCURVE_OT_duplicate_rotate_join.bl_idname, "3. Duplicate, Rotate, Join", "MOD_MIRROR"),
    (SCURVE_OT_add_smoothing.bl_idname, "4. Add Smoothing", "MOD_SUBSURF"),
    (SCURVE_OT_add_mirror_material.bl_idname, "5. Add Mirror Material", "MATERIAL"),
)


class VIEW3D_PT_scurve(bpy.types.Panel):
    bl_label = "S-Curve Mirror"
    bl_idname = "VIEW3D_PT_scurve"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S-Curve"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator(SCURVE_OT_build_mirror.bl_idname, text="Build Mirror (all steps)", icon="MESH_DATA")
        layout.operator(SCURVE_OT_setup_scene.bl_idname, text="Studio Scene", icon="WORLD")
        box = layout.box()
        box.label(text="Step by step (the recipe)")
        col = box.column(align=True)
        for idname, text, icon in STEPS:
            col.operator(idname, text=text, icon=icon)


class VIEW3D_PT_scurve_edit(bpy.types.Panel):
    """The active S-curve object's live parameters (scurve_addon.live)."""

    bl_label = "Edit"
    bl_idname = "VIEW3D_PT_scurve_edit"
    bl_parent_id = VIEW3D_PT_scurve.bl_idname
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S-Curve"

    def draw(self, context: bpy.types.Context) -> None:
        obj = context.active_object
        if obj is None or tagging.role(obj) not in SCURVE_ROLES:
            self.layout.label(text="No S-Curve object active", icon="INFO")
            return
        draw_live_edit(self.layout, obj)


class VIEW3D_PT_scurve_render(bpy.types.Panel):
    """Render variants of the active mirror, export them as a job file, open a job's scene."""

    bl_label = "Render"
    bl_idname = "VIEW3D_PT_scurve_render"
    bl_parent_id = VIEW3D_PT_scurve.bl_idname
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S-Curve"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        draw_render_section(self.layout, context)


def menu_add_mesh(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.separator()
    self.layout.operator(SCURVE_OT_build_mirror.bl_idname, text="S-Curve Mirror", icon="MESH_DATA")
    self.layout.operator(SCURVE_OT_add_patch.bl_idname, text="S-Curve Patch", icon="MESH_GRID")


def menu_object_context(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    """The object's right-click menu: "Edit S-Curve Mirror" for S-curve objects (as Extra Objects does)."""
    if tagging.role(context.active_object) in SCURVE_ROLES:
        self.layout.separator()
        self.layout.operator(SCURVE_OT_edit_mirror.bl_idname, icon="MESH_DATA")
