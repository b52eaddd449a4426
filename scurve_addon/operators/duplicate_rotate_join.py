"""Step 3: copy the patch, turn the copy 180 degrees about the vertical axis, join, weld."""
from __future__ import annotations

import bpy

from .. import mesh_data, tagging
from ..defaults import OBJECT_NAME, ROLE_SURFACE
from ..geometry.grid import rotate_join_weld
from .common import NEEDS_PATCH, PATCH_ROLES, OperatorResult, ScurveObjectOperator, mesh_of


class SCURVE_OT_duplicate_rotate_join(ScurveObjectOperator, bpy.types.Operator):
    """Duplicate the patch, rotate the copy 180 degrees about the patch's vertical axis, """ \
        """join it and weld the centre line into one"""

    bl_idname = "scurve.duplicate_rotate_join"
    bl_label = "Duplicate, Rotate, Join"
    bl_options = {"REGISTER", "UNDO"}

    roles = PATCH_ROLES
    needs = NEEDS_PATCH

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        params = tagging.stored_params(obj)
        mesh = mesh_of(obj)
        verts, loops, starts = mesh_data.read_mesh(mesh)
        # Weld tolerance scaled to the patch: float32 coordinates, exact half turn.
        tolerance = 1e-6 * max(params.radius, params.length)
        verts, loops, starts, merged = rotate_join_weld(verts, loops, starts, tolerance)
        mesh_data.write_mesh(mesh, verts, loops, starts)
        mesh.name = OBJECT_NAME
        obj.name = OBJECT_NAME
        tagging.tag(obj, ROLE_SURFACE, params)
        self.report({"INFO"}, f"Joined the turned copy and merged {merged} vertices on the centre line")
        return {"FINISHED"}
