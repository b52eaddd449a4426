"""All steps in one: the finished, smoothed, mirror-finished S-curve surface.

Its properties are generated from defaults.py (labels, limits, units and tooltips live
there only): every field of SurfaceParams (radius, length, arc_segments, rows,
match_heights, profile, s_bend, fit_limit_surface, subdiv_levels, render_levels,
adaptive_subdivision) and of
MaterialParams (roughness, base_color), plus Blender's own align, location and rotation
(AddObjectHelper).
"""
from __future__ import annotations

from typing import Any

import bpy
from bpy_extras.object_utils import AddObjectHelper

from .. import build
from ..defaults import MaterialParams, SurfaceParams, params_from
from ..props import mixin
from .common import OperatorResult, poll_object_mode
from .draw import draw_surface_props

SurfaceProps: Any = mixin("SurfaceProps", SurfaceParams)
MirrorMaterialProps: Any = mixin("MirrorMaterialProps", MaterialParams)


class SCURVE_OT_build_mirror(bpy.types.Operator, AddObjectHelper, SurfaceProps, MirrorMaterialProps):
    """Add the finished S-curve mirror: patch, matched heights, turned copy welded on, """ \
        """smoothing and polished steel in one step"""

    bl_idname = "scurve.build_mirror"
    bl_label = "S-Curve Mirror"
    bl_options = {"REGISTER", "UNDO", "PRESET"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return poll_object_mode(cls, context)

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        draw_surface_props(layout, self, include_smoothing=True)
        box = layout.box()
        box.label(text="Material", icon="MATERIAL")
        box.prop(self, "roughness")
        box.prop(self, "base_color")
        layout.prop(self, "align")
        layout.prop(self, "location")
        layout.prop(self, "rotation")

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        try:
            params = params_from(self)
            obj = build.add_surface(context, params, operator=self)
        except ValueError as err:
            self.report({"ERROR"}, str(err))
            return {"CANCELLED"}
        build.finish_mirror(obj, params, params_from(self, MaterialParams))
        return {"FINISHED"}
