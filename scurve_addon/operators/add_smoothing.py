"""Step 4: Subdivision Surface smoothing without dips, shaded smooth.

Its properties are generated from defaults.SurfaceParams (labels and limits live there
only): subdiv_levels, render_levels and adaptive_subdivision.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import bpy

from ..defaults import SMOOTHING_FIELDS, SurfaceParams
from ..props import mixin
from ..smoothing import smooth_as
from ..tagging import stored_params
from .common import OperatorResult, ScurveObjectOperator

SmoothingProps: Any = mixin("SmoothingProps", SurfaceParams, SMOOTHING_FIELDS)


class SCURVE_OT_add_smoothing(ScurveObjectOperator, bpy.types.Operator, SmoothingProps):
    """Smooth the surface with a Subdivision Surface modifier that keeps the top and bottom """ \
        """edges straight and the corners in place"""

    bl_idname = "scurve.add_smoothing"
    bl_label = "Add Smoothing"
    bl_options = {"REGISTER", "UNDO"}

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        # the object's own radius: the adaptive edge length is a fraction of it
        smooth_as(obj, replace(stored_params(obj), **{name: getattr(self, name) for name in SMOOTHING_FIELDS}))
        return {"FINISHED"}
