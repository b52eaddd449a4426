"""Step 1: the half-circle-to-line patch, a new object at the 3D cursor.

Its properties are generated from defaults.SurfaceParams (labels, limits, units and
tooltips live there only): the GEOMETRY fields below (radius, length, arc_segments, rows,
match_heights, profile, s_bend, fit_limit_surface), with match_heights on and the fit off
as the recipe's first step has them, plus Blender's own align, location and rotation.
"""
from __future__ import annotations

from typing import Any

import bpy
from bpy_extras.object_utils import AddObjectHelper

from .. import build
from ..defaults import SurfaceParams, params_from
from ..props import mixin
from .common import OperatorResult, poll_object_mode
from .draw import draw_surface_props

GEOMETRY = ("radius", "length", "arc_segments", "rows", "match_heights", "profile", "s_bend", "fit_limit_surface")
# Step by step follows the recipe: heights are matched (and the fit made) by later steps.
PatchProps: Any = mixin("PatchProps", SurfaceParams, GEOMETRY, match_heights=True, fit_limit_surface=False)


class SCURVE_OT_add_patch(bpy.types.Operator, AddObjectHelper, PatchProps):
    """Add the half-circle-to-line patch: a line of vertices on the axis joined to a half circle"""

    bl_idname = "scurve.add_patch"
    bl_label = "S-Curve Patch"
    bl_options = {"REGISTER", "UNDO", "PRESET"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return poll_object_mode(cls, context)

    def draw(self, context: bpy.types.Context) -> None:
        draw_surface_props(self.layout, self, include_smoothing=False)
        self.layout.prop(self, "align")
        self.layout.prop(self, "location")
        self.layout.prop(self, "rotation")

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        try:
            params = params_from(self)
            build.add_surface(context, params, half=True, operator=self)
        except ValueError as err:
            self.report({"ERROR"}, str(err))
            return {"CANCELLED"}
        return {"FINISHED"}
