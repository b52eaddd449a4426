"""The studio scene around the active S-curve surface (or a new one); see docs/design.md, "The studio"."""
from __future__ import annotations

from typing import Any

import bpy

from ..defaults import SceneParams
from ..props import mixin
from ..scene import setup_studio_scene
from ..tagging import params_from
from .common import OperatorResult

SceneProps: Any = mixin("SceneProps", SceneParams)


class SCURVE_OT_setup_scene(bpy.types.Operator, SceneProps):
    """Set up a studio for judging the mirror around the active S-curve surface (or a new """ \
        """one): physical sky, sun, ground, test objects, camera and Cycles for mirrors. """ \
        """Running it again updates the studio"""

    bl_idname = "scurve.setup_scene"
    bl_label = "S-Curve Studio Scene"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None:
            return False
        if context.mode != "OBJECT":
            cls.poll_message_set("Switch to Object Mode first")
            return False
        return True

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        box = layout.box()
        box.label(text="Sun and Sky", icon="LIGHT_SUN")
        col = box.column(align=True)
        col.prop(self, "sun_elevation")
        col.prop(self, "sun_rotation")
        col = box.column(align=True)
        col.prop(self, "sun_strength")
        col.prop(self, "sun_redness", slider=True)
        box.prop(self, "sky_strength")
        box.active = not self.zebra

        box = layout.box()
        box.label(text="Studio", icon="SCENE_DATA")
        row = box.row()
        row.prop(self, "ground")
        sub = row.row()
        sub.active = self.ground
        sub.prop(self, "ground_noise", slider=True)
        box.prop(self, "test_objects")
        box.prop(self, "area_lights")
        box.active = not self.zebra

        box = layout.box()
        box.label(text="Reflection Lines", icon="MOD_WAVE")
        row = box.row()
        row.prop(self, "zebra")
        sub = row.row()
        sub.active = self.zebra
        sub.prop(self, "zebra_stripes")

        box = layout.box()
        box.label(text="Camera and Render", icon="CAMERA_DATA")
        box.prop(self, "camera_lens")
        box.prop(self, "caustics")

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        try:
            made = setup_studio_scene(context, params_from(self, SceneParams))
        except ValueError as err:  # a surface that cannot be built, a bad parameter
            self.report({"ERROR"}, str(err))
            return {"CANCELLED"}
        except RuntimeError as err:  # Blender refused something (a bad value, a missing feature)
            # Only what Blender raises for bad input becomes a message: a TypeError or
            # AttributeError is a bug in this code and must surface as one, with its traceback.
            self.report({"ERROR"}, f"Could not set up the studio scene: {err}")
            return {"CANCELLED"}
        mode = "zebra stripes" if self.zebra else "physical sky"
        self.report({"INFO"}, f"Studio scene ({mode}) around {made['surface'].name}")
        return {"FINISHED"}
