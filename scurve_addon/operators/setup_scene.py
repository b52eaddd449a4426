"""The studio scene around the active S-curve surface (or a new one); see docs/design.md, "The studio".

Its properties are generated from defaults.py (labels, limits and tooltips live there only):
every field of SceneParams (sun_elevation, sun_rotation, sun_redness, sun_strength,
sky_strength, ground, ground_noise, test_objects, area_lights, caustics, zebra,
zebra_stripes, camera_lens), and for the walk-around camera walkaround, frame_start,
frame_end and the fields of AnimationParams but frames (fps, path, easing, radius, height,
arc, distance, walk_length, walk_curve, dolly_to).
"""
from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, IntProperty

from ..defaults import AnimationParams, SceneParams, params_from, specs
from ..props import mixin
from ..scene import _upright_frame, setup_studio_scene
from ..scene.walkaround import bake_walkaround, clear_walkaround
from ..tagging import stored_params
from .common import OperatorResult

SceneProps: Any = mixin("SceneProps", SceneParams)
# The walk-around camera: the [animation] parameters of job files (frames as two integers)
WalkProps: Any = mixin("WalkProps", AnimationParams, only=tuple(n for n in specs(AnimationParams) if n != "frames"))
_FRAMES = specs(AnimationParams)["frames"]
_FIRST, _LAST = AnimationParams().frames


class SCURVE_OT_setup_scene(bpy.types.Operator, SceneProps, WalkProps):
    """Set up a studio for judging the mirror around the active S-curve surface (or a new """ \
        """one): physical sky, sun, ground, test objects, camera and Cycles for mirrors. """ \
        """Running it again updates the studio"""

    bl_idname = "scurve.setup_scene"
    bl_label = "S-Curve Studio Scene"
    bl_options = {"REGISTER", "UNDO"}

    walkaround: BoolProperty(  # type: ignore[valid-type]
        name="Walk-around Camera",
        description="Animate the camera along a path (the [animation] of job files), a key on every frame: "
                    "scrub the timeline, render the animation with Ctrl-F12")
    frame_start: IntProperty(  # type: ignore[valid-type]
        name="Start", description=_FRAMES.description, default=_FIRST, min=0)
    frame_end: IntProperty(  # type: ignore[valid-type]
        name="End", description=_FRAMES.description, default=_LAST, min=0)

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

        box = layout.box()
        box.prop(self, "walkaround", icon="CAMERA_DATA")
        col = box.column()
        col.active = self.walkaround
        row = col.row(align=True)
        row.prop(self, "frame_start")
        row.prop(self, "frame_end")
        col.prop(self, "fps")
        col.prop(self, "path")
        col.prop(self, "easing")
        col.prop(self, "height")
        if self.path == "orbit":
            col.prop(self, "radius")
            col.prop(self, "arc")
        elif self.path == "walk":
            col.prop(self, "distance")
            col.prop(self, "walk_length")
            col.prop(self, "walk_curve")
        else:
            col.prop(self, "distance")
            col.prop(self, "dolly_to")

    def animation(self) -> AnimationParams:
        first, last = self.frame_start, max(self.frame_start, self.frame_end)
        return params_from(self, AnimationParams, frames=(first, last))

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        try:
            made = setup_studio_scene(context, params_from(self, SceneParams))
            camera = made["camera"]
            assert isinstance(camera, bpy.types.Object)
            if self.walkaround:
                surface = made["surface"]
                assert isinstance(surface, bpy.types.Object)

                frame, _ = _upright_frame(surface)
                bake_walkaround(context.scene, camera, self.animation(), stored_params(surface), frame)
            else:
                clear_walkaround(camera)
        except ValueError as err:  # a surface that cannot be built, a bad parameter
            self.report({"ERROR"}, str(err))
            return {"CANCELLED"}
        except RuntimeError as err:  # Blender refused something (a bad value, a missing feature)
            # Only what Blender raises for bad input becomes a message: a TypeError or
            # AttributeError is a bug in this code and must surface as one, with its traceback.
            self.report({"ERROR"}, f"Could not set up the studio scene: {err}")
            return {"CANCELLED"}
        mode = "zebra stripes" if self.zebra else "physical sky"
        walk = (f", walk-around camera ({self.path}, frames {self.frame_start}-{max(self.frame_start, self.frame_end)})"
                if self.walkaround else "")
        self.report({"INFO"}, f"Studio scene ({mode}) around {made['surface'].name}{walk}")
        return {"FINISHED"}
