"""numpy arrays <-> Blender mesh data, with foreach_set/foreach_get only (no per-vertex loops)."""
from __future__ import annotations

from typing import Any

import bpy
import numpy as np
from mathutils import Matrix

# Fast paths. Positions and face-corner vertices are stored by Blender as generic attributes
# ("position" on points; the internal ".corner_vert" on corners, since Blender 4.0), and
# writing them through mesh.attributes is one buffer copy: about 100x faster than
# vertices.foreach_set("co") and about 250x faster than loops.foreach_set("vertex_index"),
# which convert item by item (bench/mesh_build.py measures it). The leading dot makes
# ".corner_vert" Blender's internal storage, not a public API: its name or type may change in
# a later version. So each write checks the attribute is there with the expected type and
# domain, and otherwise takes the public RNA path: a change in Blender costs speed, never
# correctness. tests/test_mesh_data.py runs both paths.
POSITION_ATTRIBUTE = "position"
CORNER_VERT_ATTRIBUTE = ".corner_vert"


def _attribute(mesh: bpy.types.Mesh, name: str, kind: type, domain: str) -> Any:
    """The mesh's attribute `name` if it has the expected type and domain, else None."""
    attr: bpy.types.Attribute | None = mesh.attributes.get(name)
    return attr if isinstance(attr, kind) and attr.domain == domain else None


def _write_positions(mesh: bpy.types.Mesh, verts: np.ndarray) -> None:
    co = np.ascontiguousarray(verts, dtype=np.float32).ravel()
    attr = _attribute(mesh, POSITION_ATTRIBUTE, bpy.types.FloatVectorAttribute, "POINT")
    if attr is not None:
        attr.data.foreach_set("vector", co)
    else:
        mesh.vertices.foreach_set("co", co)


def _write_corner_verts(mesh: bpy.types.Mesh, loops: np.ndarray) -> None:
    values = np.ascontiguousarray(loops, dtype=np.int32)
    attr = _attribute(mesh, CORNER_VERT_ATTRIBUTE, bpy.types.IntAttribute, "CORNER")
    if attr is not None:
        attr.data.foreach_set("value", values)
    else:
        mesh.loops.foreach_set("vertex_index", values)


def write_mesh(mesh: bpy.types.Mesh, verts: np.ndarray, loops: np.ndarray, starts: np.ndarray) -> bpy.types.Mesh:
    """Replace the mesh's geometry with the given arrays (see geometry.grid for the layout).

    Positions and corner vertices go through the generic attribute API, which copies a
    buffer straight into the attribute; the element collections' foreach_set converts item
    by item (bench/mesh_build.py measures both).
    """
    mesh.clear_geometry()
    mesh.vertices.add(len(verts))
    _write_positions(mesh, verts)
    mesh.loops.add(len(loops))
    _write_corner_verts(mesh, loops)
    mesh.polygons.add(len(starts))
    mesh.polygons.foreach_set("loop_start", np.ascontiguousarray(starts, dtype=np.int32))
    mesh.update(calc_edges=True)
    return mesh


def new_mesh(name: str, verts: np.ndarray, loops: np.ndarray, starts: np.ndarray) -> bpy.types.Mesh:
    return write_mesh(bpy.data.meshes.new(name), verts, loops, starts)


def read_vertices(mesh: bpy.types.Mesh) -> np.ndarray:
    co = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
    mesh.vertices.foreach_get("co", co)
    return co.reshape(-1, 3).astype(np.float64)


def read_mesh(mesh: bpy.types.Mesh) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(verts, loops, starts) of a mesh."""
    loops = np.empty(len(mesh.loops), dtype=np.int32)
    mesh.loops.foreach_get("vertex_index", loops)
    starts = np.empty(len(mesh.polygons), dtype=np.int32)
    mesh.polygons.foreach_get("loop_start", starts)
    return read_vertices(mesh), loops, starts


def read_vertex_normals(mesh: bpy.types.Mesh) -> np.ndarray:
    normals = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
    mesh.vertices.foreach_get("normal", normals)
    return normals.reshape(-1, 3).astype(np.float64)


def set_vertices(mesh: bpy.types.Mesh, verts: np.ndarray) -> None:
    """Move the vertices (same count), keeping the topology."""
    _write_positions(mesh, verts)
    # A write through the attribute API leaves Blender's cached bounds of the old positions
    # (the evaluated object's bound_box, which frames the studio camera, stayed stale);
    # an identity transform tags the positions as changed.
    mesh.transform(Matrix.Identity(4))
    mesh.update()
