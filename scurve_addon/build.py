"""From parameters to Blender objects: the thin bpy layer over scurve_addon.geometry.

Used by the operators and, outside the UI, by the render pipeline and tests.
"""
from __future__ import annotations

from typing import Any

import bpy
from bpy_extras import object_utils

from . import geometry, mesh_data, tagging
from .defaults import OBJECT_NAME, PATCH_NAME, ROLE_PATCH, ROLE_SURFACE, MaterialParams, SurfaceParams
from .geometry.quality import QualityReport, surface_quality
from .material import assign_material, ensure_mirror_material
from .smoothing import ensure_smoothing


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
    ensure_smoothing(obj, params.subdiv_levels, params.render_levels)
    assign_material(obj, ensure_mirror_material(material))


def build_mirror(context: bpy.types.Context, params: SurfaceParams | None = None,
                 material: MaterialParams | None = None, operator: Any = None) -> bpy.types.Object:
    """All recipe steps at once: the welded surface, smoothed, with the mirror material."""
    params = params or SurfaceParams()
    obj = add_surface(context, params, operator=operator)
    finish_mirror(obj, params, material or MaterialParams())
    return obj


def evaluated_quality(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph | None = None) -> QualityReport:
    """Measure the object's evaluated (smoothed) mesh against its analytic surface."""
    depsgraph = depsgraph or bpy.context.evaluated_depsgraph_get()
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        verts, loops, starts = mesh_data.read_mesh(mesh)
        normals = mesh_data.read_vertex_normals(mesh)
    finally:
        evaluated.to_mesh_clear()
    return surface_quality(tagging.stored_params(obj), verts, loops, starts, normals)
