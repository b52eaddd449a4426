"""numpy arrays <-> Blender mesh data, with foreach_set/foreach_get only (no per-vertex loops)."""
from __future__ import annotations

import bpy
import numpy as np


def write_mesh(mesh: bpy.types.Mesh, verts: np.ndarray, loops: np.ndarray, starts: np.ndarray) -> bpy.types.Mesh:
    """Replace the mesh's geometry with the given arrays (see geometry.grid for the layout)."""
    mesh.clear_geometry()
    mesh.vertices.add(len(verts))
    mesh.vertices.foreach_set("co", np.ascontiguousarray(verts, dtype=np.float32).ravel())
    mesh.loops.add(len(loops))
    mesh.loops.foreach_set("vertex_index", np.ascontiguousarray(loops, dtype=np.int32))
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
    mesh.vertices.foreach_set("co", np.ascontiguousarray(verts, dtype=np.float32).ravel())
    mesh.update()
