"""Step 2 (the recipe's step 10): each centre-line vertex at its arc partner's height."""
from __future__ import annotations

import dataclasses

import bpy

from .. import geometry, mesh_data, tagging
from ..defaults import ROLE_PATCH
from .common import NEEDS_PATCH, PATCH_ROLES, OperatorResult, ScurveObjectOperator, mesh_of


class SCURVE_OT_match_heights(ScurveObjectOperator, bpy.types.Operator):
    """Move each centre-line vertex to the height of its half-circle partner (the arc stays put)"""

    bl_idname = "scurve.match_heights"
    bl_label = "Match Heights"
    bl_options = {"REGISTER", "UNDO"}

    roles = PATCH_ROLES
    needs = NEEDS_PATCH

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        params = tagging.stored_params(obj)
        expected = geometry.vertex_count(params, half=True)
        mesh = mesh_of(obj)
        if len(mesh.vertices) != expected:
            self.report({"ERROR"}, f"'{obj.name}' has {len(mesh.vertices)} vertices, not the "
                        f"{expected} of its patch: vertices were added or removed, so their partners are unknown")
            return {"CANCELLED"}
        verts = geometry.match_patch_heights(mesh_data.read_vertices(mesh), params.arc_segments, params.rows)
        mesh_data.set_vertices(mesh, verts)
        tagging.tag(obj, ROLE_PATCH, dataclasses.replace(params, match_heights=True))
        self.report({"INFO"}, f"Matched the heights of {params.arc_segments + 1} vertex rows")
        return {"FINISHED"}
