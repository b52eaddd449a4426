"""Step 5: the polished-metal material, reused if it exists."""
from __future__ import annotations

from typing import Any

import bpy

from ..defaults import MaterialParams
from ..material import assign_material, ensure_mirror_material
from ..props import mixin
from ..tagging import params_from
from .common import NEEDS_SCURVE, SCURVE_ROLES, OperatorResult, active_object, poll_for

MaterialProps: Any = mixin("MaterialProps", MaterialParams)


class SCURVE_OT_add_mirror_material(bpy.types.Operator, MaterialProps):
    """Give the surface the polished-steel mirror material"""

    bl_idname = "scurve.add_mirror_material"
    bl_label = "Add Mirror Material"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return poll_for(cls, context, SCURVE_ROLES, NEEDS_SCURVE)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        obj = active_object(context, SCURVE_ROLES)
        if obj is None:
            self.report({"ERROR"}, NEEDS_SCURVE)
            return {"CANCELLED"}
        assign_material(obj, ensure_mirror_material(params_from(self, MaterialParams)))
        return {"FINISHED"}
