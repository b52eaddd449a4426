"""The "S-Curve" sidebar tab and the Add > Mesh menu entries."""
from __future__ import annotations

from typing import TYPE_CHECKING

import bpy

from . import tagging
from .defaults import QUALITY_KEY, ROLE_PATCH, ROLE_SURFACE

if TYPE_CHECKING:  # fake-bpy-module's enum of icon names
    from bpy.stub_internal.rna_enums import IconItems

STEPS: tuple[tuple[str, str, IconItems], ...] = (
    ("scurve.add_patch", "1. Add Patch", "MESH_GRID"),
    ("scurve.match_heights", "2. Match Heights", "ALIGN_MIDDLE"),
    ("scurve.duplicate_rotate_join", "3. Duplicate, Rotate, Join", "MOD_MIRROR"),
    ("scurve.add_smoothing", "4. Add Smoothing", "MOD_SUBSURF"),
    ("scurve.add_mirror_material", "5. Add Mirror Material", "MATERIAL"),
)


class VIEW3D_PT_scurve(bpy.types.Panel):
    bl_label = "S-Curve Mirror"
    bl_idname = "VIEW3D_PT_scurve"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S-Curve"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.operator("scurve.build_mirror", text="Build Mirror (all steps)", icon="MESH_DATA")
        layout.operator("scurve.setup_scene", text="Studio Scene", icon="WORLD")
        box = layout.box()
        box.label(text="Step by step (the recipe)")
        col = box.column(align=True)
        for idname, text, icon in STEPS:
            col.operator(idname, text=text, icon=icon)

        obj = context.active_object
        role = tagging.role(obj)
        box = layout.box()
        if role not in (ROLE_PATCH, ROLE_SURFACE):
            box.label(text="No S-Curve object active", icon="INFO")
            return
        box.label(text=f"{obj.name} ({'patch' if role == ROLE_PATCH else 'surface'})", icon="OBJECT_DATA")
        mesh = obj.data
        box.label(text=f"Vertices {len(mesh.vertices):,}   Faces {len(mesh.polygons):,}")
        box.operator("scurve.quality_report", icon="VIEWZOOM")
        quality = obj.get(QUALITY_KEY)
        if quality:
            col = box.column(align=True)
            col.label(text=f"Max distance {quality['max_distance_rel'] * 100:.3f} % R")
            col.label(text=f"Median distance {quality['median_distance_rel'] * 100:.4f} % R")
            col.label(text=f"Max normal error {quality['max_normal_error_deg']:.2f} deg")
            col.label(text=f"Top / bottom edge {quality['top_edge_deviation']:.1e} / "
                      f"{quality['bottom_edge_deviation']:.1e} m")
            col.label(text=f"Seam duplicates {quality['seam_duplicate_vertices']}, "
                      f"non-manifold edges {quality['non_manifold_edges']}")


def menu_add_mesh(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.separator()
    self.layout.operator("scurve.build_mirror", text="S-Curve Mirror", icon="MESH_DATA")
    self.layout.operator("scurve.add_patch", text="S-Curve Patch", icon="MESH_GRID")
