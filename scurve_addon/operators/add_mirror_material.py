"""Step 5: the polished-metal material, reused if it exists.

Its properties are generated from defaults.MaterialParams (labels and limits live there
only): roughness, base_color.
"""
from __future__ import annotations

from typing import Any

import bpy

from ..defaults import MaterialParams, params_from
from ..material import assign_material, ensure_mirror_material
from ..props import mixin
from .common import OperatorResult, ScurveObjectOperator

MaterialProps: Any = mixin("MaterialProps", MaterialParams)


class SCURVE_OT_add_mirror_material(ScurveObjectOperator, bpy.types.Operator, MaterialProps):
    """Give the surface the polished-steel mirror material"""

    bl_idname = "scurve.add_mirror_material"
    bl_label = "Add Mirror Material"
    bl_options = {"REGISTER", "UNDO"}

    changes_shape = False

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        assign_material(obj, ensure_mirror_material(params_from(self, MaterialParams)))
        return {"FINISHED"}
