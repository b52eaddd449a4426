"""Measure the active surface against the analytic S-curve and keep the result on it."""
from __future__ import annotations

import bpy

from .. import build
from .common import NEEDS_SCURVE, SCURVE_ROLES, OperatorResult, active_object, poll_for

QUALITY_KEY = "scurve_quality"


class SCURVE_OT_quality_report(bpy.types.Operator):
    """Measure how far the smoothed surface is from the exact S-curve (distances, normals, """ \
        """edges, seam) and show it in the sidebar"""

    bl_idname = "scurve.quality_report"
    bl_label = "Measure Surface Quality"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return poll_for(cls, context, SCURVE_ROLES, NEEDS_SCURVE)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        obj = active_object(context, SCURVE_ROLES)
        if obj is None:
            self.report({"ERROR"}, NEEDS_SCURVE)
            return {"CANCELLED"}
        report = build.evaluated_quality(obj, context.evaluated_depsgraph_get())
        obj[QUALITY_KEY] = report.as_dict()
        self.report({"INFO"}, report.summary())
        return {"FINISHED"}
