"""From parameters to Blender objects: the thin bpy layer over scurve_addon.geometry.

Used by the operators and, outside the UI, by the render pipeline and tests.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import bpy
import numpy as np
from bpy_extras import object_utils

from . import geometry, mesh_data, tagging
from .defaults import (
    OBJECT_NAME,
    PATCH_NAME,
    QUALITY_KEY,
    ROLE_PATCH,
    ROLE_SURFACE,
    SMOOTHING_FIELDS,
    SMOOTHING_MODIFIER_NAME,
    MaterialParams,
    SurfaceParams,
)
from .geometry import optics
from .geometry.quality import QualityReport, closest_parameters, surface_quality
from .material import assign_material, ensure_mirror_material
from .smoothing import is_standard, modifier_rendered_levels, smooth_as


def surface_mesh(params: SurfaceParams, half: bool = False) -> bpy.types.Mesh:
    """A new mesh datablock holding the full surface (or the half patch). Raises ValueError."""
    grid = geometry.half_patch(params) if half else geometry.full_surface(params)
    return mesh_data.new_mesh(PATCH_NAME if half else OBJECT_NAME, grid.verts, grid.loops, grid.starts)


def add_object(context: bpy.types.Context, mesh: bpy.types.Mesh, operator: Any = None) -> bpy.types.Object:
    """Link a new object for `mesh` at the 3D cursor (or where the redo panel puts it),
    selected and active, the way Blender's own Add menu entries do."""
    return object_utils.object_data_add(context, mesh, operator=operator)


def add_surface(context: bpy.types.Context, params: SurfaceParams, half: bool = False,
                operator: Any = None) -> bpy.types.Object:
    obj = add_object(context, surface_mesh(params, half), operator)
    tagging.tag(obj, ROLE_PATCH if half else ROLE_SURFACE, params)
    return obj


def finish_mirror(obj: bpy.types.Object, params: SurfaceParams, material: MaterialParams) -> None:
    """Smoothing modifier and mirror material on an S-curve object."""
    smooth_as(obj, params)
    assign_material(obj, ensure_mirror_material(material))


def build_mirror(context: bpy.types.Context, params: SurfaceParams | None = None,
                 material: MaterialParams | None = None, operator: Any = None) -> bpy.types.Object:
    """All recipe steps at once: the welded surface, smoothed, with the mirror material."""
    params = params or SurfaceParams()
    obj = add_surface(context, params, operator=operator)
    finish_mirror(obj, params, material or MaterialParams())
    return obj


def _same_topology(mesh: bpy.types.Mesh, grid: geometry.GridMesh) -> bool:
    """The mesh has the grid's faces, corner for corner (then moving vertices suffices).
    Equal counts are not enough: the step-by-step join numbers vertices its own way."""
    counts = (len(mesh.vertices), len(mesh.loops), len(mesh.polygons))
    if counts != (len(grid.verts), len(grid.loops), len(grid.starts)):
        return False
    loops = tagging.corner_verts(mesh)
    starts = np.empty(len(mesh.polygons), dtype=np.int32)
    mesh.polygons.foreach_get("loop_start", starts)
    return bool(np.array_equal(loops, grid.loops) and np.array_equal(starts, grid.starts))


def rebuild_surface(obj: bpy.types.Object, params: SurfaceParams, force: bool = False) -> str:
    """Give an S-curve object (patch or surface) the geometry of `params`, in place.

    The object, its mesh datablock (name, materials, custom properties), its transform and
    its modifiers stay; only the vertices (and, when the resolution changes, the faces)
    are replaced, and the smoothing modifier (if the object has it) takes the new levels.
    `force` writes the geometry even when the parameters are unchanged (it discards edits
    made by hand). Parameters that cannot be built raise ValueError before anything is
    touched. Returns what changed: "topology", "positions", "smoothing" or "" (nothing).
    """
    role = tagging.role(obj)
    if role not in (ROLE_PATCH, ROLE_SURFACE):
        raise ValueError(f"{obj.name!r} is not an S-curve patch or surface")
    old = tagging.stored_params(obj)
    half = role == ROLE_PATCH
    mesh = cast(bpy.types.Mesh, obj.data)
    changed = ""
    geometry_fields = [f for f in SurfaceParams.__dataclass_fields__ if f not in SMOOTHING_FIELDS]
    if force or any(getattr(old, f) != getattr(params, f) for f in geometry_fields) \
            or len(mesh.vertices) != geometry.vertex_count(params, half):
        grid = geometry.half_patch(params) if half else geometry.full_surface(params)
        if _same_topology(mesh, grid):
            mesh_data.set_vertices(mesh, grid.verts)  # same grid: the topology stands
            changed = "positions"
        else:
            mesh_data.write_mesh(mesh, grid.verts, grid.loops, grid.starts)
            changed = "topology"
    mod: bpy.types.Modifier | None = obj.modifiers.get(SMOOTHING_MODIFIER_NAME)
    if isinstance(mod, bpy.types.SubsurfModifier):
        if any(getattr(old, f) != getattr(params, f) for f in SMOOTHING_FIELDS) \
                or (mod.levels, mod.render_levels) != (params.subdiv_levels, params.render_levels):
            changed = changed or "smoothing"
        if changed:  # a new radius is a new adaptive edge length too
            smooth_as(obj, params)
    tagging.tag(obj, role, params)
    if changed:
        if obj.get(QUALITY_KEY) is not None:
            del obj[QUALITY_KEY]
        # Cycles' persistent data misses a change of the modifier's render levels alone
        # unless the object's data is tagged (seen on 4.2 and 5.0): tag it on every change.
        obj.update_tag(refresh={"DATA"})
    return changed


def evaluated_arrays(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(verts, loops, starts, vertex normals) of the object's evaluated (smoothed) mesh."""
    depsgraph = depsgraph or bpy.context.evaluated_depsgraph_get()
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        verts, loops, starts = mesh_data.read_mesh(mesh)
        return verts, loops, starts, mesh_data.read_vertex_normals(mesh)
    finally:
        evaluated.to_mesh_clear()


def evaluated_quality(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph | None = None) -> QualityReport:
    """Measure the object's evaluated (smoothed) mesh against its analytic surface, and its
    normals as Cycles renders them (rendered_normals)."""
    params = tagging.stored_params(obj)
    arrays = evaluated_arrays(obj, depsgraph)
    u, t = closest_parameters(params, arrays[0])
    report = surface_quality(params, *arrays, initial=(u, t), iterations=0)
    return replace(report, rendered_normals=rendered_normals(obj, params, arrays, u, t))


def rendered_normals(obj: bpy.types.Object, params: SurfaceParams,
                     arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                     u: np.ndarray, t: np.ndarray) -> optics.NormalErrors:
    """The object's normals as Cycles renders them (geometry/optics.py).

    A surface whose mesh is what its parameters describe, smoothed by the standard smoothing
    modifier alone: in closed form at the tessellation the modifier renders (its render
    levels, or the limit surface with adaptive subdivision), which the viewport's evaluated
    mesh need not be. Anything else (a patch, a mesh edited by hand, other modifiers): the
    evaluated mesh `arrays` itself, whose vertices' closest parameters are (u, t), labelled
    with the modifier's viewport levels (0 without it).
    """
    mod: bpy.types.Modifier | None = obj.modifiers.get(SMOOTHING_MODIFIER_NAME)
    if not isinstance(mod, bpy.types.SubsurfModifier):
        return optics.mesh_normal_errors(params, *arrays, u, t, 0)
    if (tagging.role(obj) == ROLE_SURFACE and len(obj.modifiers) == 1 and is_standard(mod)
            and not tagging.edited_by_hand(obj)):
        return optics.rendered_normal_errors(params, modifier_rendered_levels(mod))
    return optics.mesh_normal_errors(params, *arrays, u, t, mod.levels)
