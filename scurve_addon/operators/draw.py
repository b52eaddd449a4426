"""Redo-panel layout shared by the operators that build geometry."""
from __future__ import annotations

from typing import Any

import bpy

from .. import compat, geometry
from ..defaults import params_from


def draw_adaptive(layout: bpy.types.UILayout, owner: Any) -> None:
    """The adaptive subdivision switch, greyed out where this Blender has none (render
    levels apply there)."""
    row = layout.row()
    row.enabled = compat.HAS_ADAPTIVE_SUBDIVISION
    row.prop(owner, "adaptive_subdivision")


def draw_surface_props(layout: bpy.types.UILayout, op: Any, include_smoothing: bool) -> None:
    box = layout.box()
    box.label(text="Shape", icon="MESH_DATA")
    col = box.column(align=True)
    col.prop(op, "radius")
    col.prop(op, "length")
    box.prop(op, "profile")
    box.prop(op, "s_bend")

    box = layout.box()
    box.label(text="Resolution", icon="MESH_GRID")
    col = box.column(align=True)
    col.prop(op, "arc_segments")
    col.prop(op, "rows")
    row = box.row()
    row.prop(op, "match_heights")
    sub = row.row()
    sub.active = op.match_heights  # the fit targets the intended (height-matched) surface
    sub.prop(op, "fit_limit_surface")
    try:
        p = params_from(op)
        box.label(text=f"{geometry.vertex_count(p, half=not include_smoothing):,} vertices")
    except (TypeError, ValueError):
        pass

    if include_smoothing:
        box = layout.box()
        box.label(text="Smoothing", icon="MOD_SUBSURF")
        col = box.column(align=True)
        col.prop(op, "subdiv_levels")
        col.prop(op, "render_levels")
        draw_adaptive(col, op)
