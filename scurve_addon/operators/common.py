"""Shared checks of the operators: which active object they work on, and their messages."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import bpy

from .. import tagging
from ..defaults import QUALITY_KEY, ROLE_PATCH, ROLE_SURFACE

if TYPE_CHECKING:  # the stubs' enum of what execute() may return (fake-bpy-module only)
    from bpy.stub_internal.rna_enums import OperatorReturnItems

    OperatorResult = set[OperatorReturnItems]
else:
    OperatorResult = set

NEEDS_PATCH = "Select an S-Curve patch first (Add > Mesh > S-Curve Patch, or the sidebar's step 1)"
NEEDS_SCURVE = "Select an S-Curve patch or surface first (made by this add-on's steps or Add > Mesh > S-Curve Mirror)"


def active_object(context: bpy.types.Context, roles: tuple[str, ...]) -> bpy.types.Object | None:
    obj = getattr(context, "active_object", None)
    if tagging.role(obj) in roles and obj.mode == "OBJECT":
        return obj
    return None


def mesh_of(obj: bpy.types.Object) -> bpy.types.Mesh:
    """The mesh of an object active_object() returned (its role implies a mesh)."""
    assert obj.type == "MESH", obj.type
    return cast(bpy.types.Mesh, obj.data)


def poll_for(cls: Any, context: bpy.types.Context, roles: tuple[str, ...], message: str) -> bool:
    if active_object(context, roles) is None:
        cls.poll_message_set(message)
        return False
    return True


NEEDS_OBJECT_MODE = "Switch to Object Mode first: new S-Curve objects are added in Object Mode"


def poll_object_mode(cls: Any, context: bpy.types.Context) -> bool:
    """For operators that add objects: in Edit Mode Blender would merge them into the edited mesh."""
    if getattr(context, "mode", "OBJECT") != "OBJECT":
        cls.poll_message_set(NEEDS_OBJECT_MODE)
        return False
    return True


PATCH_ROLES = (ROLE_PATCH,)
SCURVE_ROLES = (ROLE_PATCH, ROLE_SURFACE)


class ScurveObjectOperator:
    """Mix-in for the steps that act on the active S-curve object of `roles`.

    poll() greys the operator out (with the reason as its tooltip, and as the error a
    script gets); execute() resolves the object once more, reports a clear error if it is
    gone, and hands it to run().
    """

    roles: tuple[str, ...] = SCURVE_ROLES
    needs: str = NEEDS_SCURVE
    changes_shape = True  # a step that changes the surface makes its stored quality report stale

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return poll_for(cls, context, cls.roles, cls.needs)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        obj = active_object(context, self.roles)
        if obj is None:
            cast(Any, self).report({"ERROR"}, self.needs)
            return {"CANCELLED"}
        result = self.run(context, obj)
        if self.changes_shape and "FINISHED" in result and obj.get(QUALITY_KEY) is not None:
            del obj[QUALITY_KEY]
        return result

    def run(self, context: bpy.types.Context, obj: bpy.types.Object) -> OperatorResult:
        raise NotImplementedError
