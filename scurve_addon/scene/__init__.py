"""The studio scene for judging the mirror (docs/design.md, "The studio").

`setup_studio_scene` puts, around an S-curve surface: a physical-sky world (world.py), a
sun lamp (sun.py), a ground plane with faint noise (ground.py), a red cylinder, a green
cone and a blue sphere by the concave side (test_objects.py), optional area lights
(lights.py), a camera framing the surface from the front (camera.py), and Cycles
settings that suit mirrors (cycles_settings.py). Zebra mode (zebra.py) swaps the sky for
evenly spaced light stripes and hides everything but the mirror.

Every datablock made here is tagged `scurve_role` = "STUDIO_<part>" (tags.py): running
the setup again updates those in place, and nothing the user made is changed.
"""
from __future__ import annotations

import math
from typing import Any, cast

import bpy
import numpy as np
from mathutils import Matrix, Vector

from .. import build, tagging
from ..defaults import ROLE_SURFACE, RenderParams, SceneParams
from . import tags
from .camera import ensure_camera, ensure_dicing_camera
from .cycles_settings import apply_cycles_settings
from .ground import ensure_ground
from .lights import LIGHTS as AREA_LIGHTS
from .lights import ensure_area_lights, remove_area_lights
from .sun import ensure_sun
from .test_objects import OBJECTS as TEST_OBJECTS
from .test_objects import ensure_test_objects, remove_test_objects
from .world import ensure_sky_world
from .zebra import ensure_zebra_world

__all__ = ["setup_studio_scene", "follow_surface", "find_surface", "surface_corners", "STUDIO_SURFACE_KEY",
           "INPUTS_KEY"]

# The scene remembers which surface its studio was set up around (the object's name).
STUDIO_SURFACE_KEY = "scurve_studio_surface"


def find_surface(context: bpy.types.Context) -> bpy.types.Object | None:
    """The S-curve surface to set the studio around: the active one, else the one the
    scene's studio was set up around before (if it is still in the scene)."""
    active = getattr(context, "active_object", None)
    if tagging.role(active) == ROLE_SURFACE:
        return active
    scene = context.scene
    name = scene.get(STUDIO_SURFACE_KEY)
    obj = scene.objects.get(name) if isinstance(name, str) else None
    if tagging.role(obj) == ROLE_SURFACE:
        return obj
    return None


def surface_corners(surface: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> np.ndarray:
    """(8, 3) world-space corners of the surface's evaluated (smoothed) bounding box."""
    evaluated = surface.evaluated_get(depsgraph)
    matrix = np.array(evaluated.matrix_world)
    local = np.array([tuple(c) for c in evaluated.bound_box], dtype=float)
    return local @ matrix[:3, :3].T + matrix[:3, 3]


def _upright_frame(surface: bpy.types.Object) -> tuple[Matrix, float]:
    """The surface's local frame made upright: its location, its turn about the vertical
    and its mean scale (a tilted surface still gets a level studio)."""
    world = surface.matrix_world
    scale = float(np.mean(np.abs(np.array(world.to_scale())))) or 1.0
    x_axis = world.to_3x3() @ Vector((1.0, 0.0, 0.0))
    yaw = math.atan2(x_axis.y, x_axis.x) if math.hypot(x_axis.x, x_axis.y) > 1e-9 else 0.0
    frame = Matrix.Translation(world.translation) @ Matrix.Rotation(yaw, 4, "Z") @ Matrix.Scale(scale, 4)
    return frame, scale


INPUTS_KEY = "scurve_inputs"  # on each studio part: what it was last built from (reuse mode)


def _rounded(values: Any) -> tuple:
    """Floats rounded (to 1e-9 relative) so that equal inputs give equal keys."""
    return tuple(float(f"{float(v):.9g}") for v in np.ravel(np.asarray(values, dtype=float)))


class _Parts:
    """Which studio parts to (re)build. Without reuse, all of them; with reuse, only those
    whose inputs differ from the ones stored on them by the last build, so a render session
    leaves unchanged parts (and Cycles' persistent data of them) alone."""

    def __init__(self, reuse: bool, rebuilt: list[str] | None):
        self.reuse = reuse
        self.rebuilt = rebuilt if rebuilt is not None else []

    def stale(self, part: str, holder: Any, key: tuple) -> bool:
        if not self.reuse or holder is None or holder.get(INPUTS_KEY) != repr(key):
            self.rebuilt.append(part)
            return True
        return False

    @staticmethod
    def mark(holder: Any, key: tuple) -> None:
        holder[INPUTS_KEY] = repr(key)


def setup_studio_scene(context: bpy.types.Context, params: SceneParams | None = None,
                       surface: bpy.types.Object | None = None,
                       render: RenderParams | None = None, reuse: bool = False,
                       rebuilt: list[str] | None = None) -> dict[str, bpy.types.ID]:
    """Build or update the studio around `surface` (default: find_surface(), else a new
    mirror from build.build_mirror). Returns the datablocks by part name: surface,
    collection, world, sun, camera, and as asked ground, red_cylinder, green_cone,
    blue_sphere, area_left, area_right.

    `render` None applies RenderParams' defaults but keeps the scene's resolution (the
    camera is framed for it); given, its resolution is applied too. Raises ValueError for
    a surface that cannot be built.

    `reuse` (render sessions): parts whose inputs are those they were last built from are
    left as they are; the names of the parts (re)built are appended to `rebuilt`.
    """
    params = params or SceneParams()
    scene = context.scene
    if surface is None:
        surface = find_surface(context) or build.build_mirror(context)
    if scene.get(STUDIO_SURFACE_KEY) != surface.name:
        scene[STUDIO_SURFACE_KEY] = surface.name
    shape = tagging.stored_params(surface)  # the defaults for a surface without stored parameters
    parts = _Parts(reuse, rebuilt)

    cycles_key = (params.caustics, repr(render), render is None)
    if parts.stale("render_settings", scene, cycles_key):
        apply_cycles_settings(scene, params, render, keep_resolution=render is None)
        parts.mark(scene, cycles_key)
    context.view_layer.update()
    corners = surface_corners(surface, context.evaluated_depsgraph_get())
    frame, scale = _upright_frame(surface)
    frame_key = _rounded(frame)
    out: dict[str, bpy.types.ID] = {"surface": surface, "collection": tags.ensure_collection(scene)}
    shown = not params.zebra  # zebra: the stripes are the only light

    world_key = (params.sun_elevation, params.sun_rotation, params.sky_strength, params.zebra,
                 params.zebra_stripes)
    world = scene.world
    if parts.stale("world", world if tags.is_studio(world) else None, world_key):
        sky = ensure_sky_world(params)
        world = ensure_zebra_world(params) if params.zebra else sky
        parts.mark(world, world_key)
        if scene.world != world:
            scene.world = world
    out["world"] = world

    sun_key = (params.sun_strength, params.sun_redness, params.sun_elevation, params.sun_rotation, shown)
    sun = tags.find_object(scene, "SUN")
    if parts.stale("sun", sun, sun_key):
        sun = ensure_sun(scene, params)
        tags.set_shown(sun, shown)
        parts.mark(sun, sun_key)
    out["sun"] = sun

    if params.ground:
        centre = frame.translation
        ground_centre = (centre.x, centre.y, float(corners[:, 2].min()))
        ground_key = (shape.radius, shape.length, scale, params.ground_noise, _rounded(ground_centre), shown)
        ground = tags.find_object(scene, "GROUND")
        if parts.stale("ground", ground, ground_key):
            ground = ensure_ground(scene, params, shape.radius * scale, shape.length * scale, ground_centre)
            tags.set_shown(ground, shown)
            parts.mark(ground, ground_key)
        out["ground"] = ground
    else:
        tags.remove_object(scene, "GROUND")

    if params.test_objects:
        objects_key = (shape.radius, shape.length, shape.profile, shape.s_bend, frame_key, scale, shown)
        found = {role: tags.find_object(scene, role) for role in TEST_OBJECTS}
        if any(parts.stale("test_objects", obj, objects_key) for obj in found.values()):
            found = ensure_test_objects(scene, shape, frame, scale)
            for obj in found.values():
                tags.set_shown(obj, shown)
                parts.mark(obj, objects_key)
        out.update({role.lower(): obj for role, obj in found.items()})
    else:
        remove_test_objects(scene)

    if params.area_lights:
        lights_key = (shape.radius, shape.length, frame_key, scale, shown)
        found = {role: tags.find_object(scene, role) for role in AREA_LIGHTS}
        if any(parts.stale("area_lights", obj, lights_key) for obj in found.values()):
            found = ensure_area_lights(scene, shape.radius, shape.length, frame, scale)
            for obj in found.values():
                tags.set_shown(obj, shown)
                parts.mark(obj, lights_key)
        out.update({role.lower(): obj for role, obj in found.items()})
    else:
        remove_area_lights(scene)

    render_settings = scene.render
    aspect = (render_settings.resolution_x * render_settings.pixel_aspect_x,
              render_settings.resolution_y * render_settings.pixel_aspect_y)
    camera_key = (_rounded(corners), frame_key, params.camera_lens, _rounded(aspect))
    camera = tags.find_object(scene, "CAMERA")
    if parts.stale("camera", camera, camera_key):
        camera = ensure_camera(scene, corners, frame, params.camera_lens)
        parts.mark(camera, camera_key)
    if scene.camera != camera:
        scene.camera = camera
    out["camera"] = camera
    dicing = ensure_dicing_camera(scene)
    if dicing is not None:
        out["dicing_camera"] = dicing
    context.view_layer.update()  # world matrices of what moved, for the caller
    return out


def follow_surface(context: bpy.types.Context, surface: bpy.types.Object) -> bool:
    """After the surface changed size or shape: re-frame the camera (its lens kept) and
    re-place the test objects, the area lights and the ground's height, where the scene's
    studio was set up around `surface`. Nothing else changes: the scene does not remember
    the settings its studio was made with, and setup_studio_scene would put the sun, the
    world and the Cycles settings back to their defaults. Returns whether it did anything.
    """
    scene = context.scene
    if scene is None or scene.get(STUDIO_SURFACE_KEY) != surface.name:
        return False
    shape = tagging.stored_params(surface)
    context.view_layer.update()
    corners = surface_corners(surface, context.evaluated_depsgraph_get())
    frame, scale = _upright_frame(surface)
    if any(tags.find_object(scene, role) is not None for role in TEST_OBJECTS):
        ensure_test_objects(scene, shape, frame, scale)
    if any(tags.find_object(scene, role) is not None for role in AREA_LIGHTS):
        ensure_area_lights(scene, shape.radius, shape.length, frame, scale)
    ground = tags.find_object(scene, "GROUND")
    if ground is not None:
        ground.location.z = float(corners[:, 2].min())
    camera = tags.find_object(scene, "CAMERA")
    if camera is not None:
        ensure_camera(scene, corners, frame, cast(bpy.types.Camera, camera.data).lens)
    context.view_layer.update()
    return True
