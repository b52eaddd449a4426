"""Measure the active surface against the analytic S-curve and keep the result on it."""
from __future__ import annotations

import bpy

from .. import build
from ..defaults import QUALITY_KEY
from .common import OperatorResult, ScurveObjectOperator


class SCURVE_OT_quality_report(ScurveObjectOperator, bpy.types.Operator):
    """Measure how far the smoothed surface is from the exact S-curve (distances, normals, """ \
        """edges, seam) and show it in the sidebar"""

    bl_idname = "scurve.quality_report"
    bl_label = "Measure Surface Quality"
    # UNDO: the report is stored on the object, so the step must be in the undo history,
    # else undoing a later step would bring back an object whose report and data disagree.
    bl_options = {"REGISTER", "UNDO"}

    changes_shape = False

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        report = build.evaluated_quality(obj, context.evaluated_depsgraph_get())
        obj[QUALITY_KEY] = report.as_dict()
        self.report({"INFO"}, report.summary())
        return {"FINISHED"}
