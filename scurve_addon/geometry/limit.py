"""The smoothed mesh Blender renders, computed in numpy from the control grid.

On a regular quad grid, Blender's Subdivision Surface modifier (Catmull-Clark, boundary
'Keep Corners', 'Use Limit Surface' on) places the vertices of subdivision level k on the
limit surface, which is the tensor-product uniform cubic B-spline of the control grid with
the open-boundary end rule of bspline.py; level k's vertices sit at the knot parameters
j / 2**k. So the evaluated mesh of an S-curve object made by this extension is known in
closed form, and the quality report and the mesh statistics need no depsgraph evaluation
(tests/test_quality.py compares this with Blender's evaluated mesh).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..defaults import SurfaceParams
from . import bspline
from .grid import grid_quads
from .quality import QualityReport, closest_parameters, surface_quality
from .surface import GridMesh, full_surface


def refined_count(control: int, levels: int) -> int:
    """Vertices along one grid direction after `levels` subdivisions."""
    return (control - 1) * 2**levels + 1


def limit_grid(control: np.ndarray, levels: int) -> np.ndarray:
    """(rows, cols, 3) control grid -> the level-`levels` vertices on the limit surface,
    (refined_count(rows), refined_count(cols), 3)."""
    control = np.asarray(control, dtype=float)
    rows, cols = control.shape[:2]
    t_rows = np.linspace(0.0, rows - 1, refined_count(rows, levels))
    t_cols = np.linspace(0.0, cols - 1, refined_count(cols, levels))
    along_rows = bspline.evaluate(control, t_rows)  # (R', cols, 3)
    return np.swapaxes(bspline.evaluate(np.swapaxes(along_rows, 0, 1), t_cols), 0, 1)


def vertex_normals(grid: np.ndarray) -> np.ndarray:
    """Unit vertex normals of a quad grid (rows, cols, 3) the way Blender computes them for
    smooth shading: each face's normal (for a quad, the cross product of its diagonals)
    weighted by the face's angle at the vertex, summed and normalised."""
    g = np.asarray(grid, dtype=float)
    rows, cols = g.shape[:2]
    # Quad corners in the winding of grid.grid_quads: (i,j) (i,j+1) (i+1,j+1) (i+1,j).
    corners = [g[:-1, :-1], g[:-1, 1:], g[1:, 1:], g[1:, :-1]]
    face = np.cross(corners[2] - corners[0], corners[3] - corners[1])
    face /= np.maximum(np.linalg.norm(face, axis=-1, keepdims=True), 1e-300)
    out = np.zeros_like(g)
    slots = [(slice(None, -1), slice(None, -1)), (slice(None, -1), slice(1, None)),
             (slice(1, None), slice(1, None)), (slice(1, None), slice(None, -1))]
    for k in range(4):
        a = corners[(k - 1) % 4] - corners[k]
        b = corners[(k + 1) % 4] - corners[k]
        cos = (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-300)
        angle = np.arccos(np.clip(cos, -1.0, 1.0))
        out[slots[k]] += face * angle[..., None]
    return out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-300)


def limit_mesh(control: np.ndarray, levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(verts (N, 3), loops, starts, vertex normals (N, 3)) of the level-`levels` mesh."""
    grid = limit_grid(control, levels)
    rows, cols = grid.shape[:2]
    loops, starts = grid_quads(rows, cols)
    return grid.reshape(-1, 3), loops, starts, vertex_normals(grid).reshape(-1, 3)


def _refined_nodes(nodes: np.ndarray, levels: int) -> np.ndarray:
    """The nodes' parameters interpolated linearly to the refined vertices: a first guess of
    each refined vertex's intended parameter (exact at the control vertices' limit points)."""
    nodes = np.asarray(nodes, dtype=float)
    t = np.linspace(0.0, len(nodes) - 1, refined_count(len(nodes), levels))
    return np.interp(t, np.arange(len(nodes)), nodes)


def vertex_parameters(p: SurfaceParams, mesh: GridMesh, levels: int, verts: np.ndarray,
                      shape: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(u, theta) of the closest surface point to each vertex of the level-`levels` mesh of
    `mesh` (full_surface(p)), seeded from the nodes' parameters where they are a good guess.
    `shape`: (rows, columns) when `verts` are only the first rows and columns of that mesh."""
    if not p.match_heights:  # the recipe before its height step: far from the surface, no good guess
        return closest_parameters(p, verts)
    u = _refined_nodes(mesh.u_nodes, levels)
    theta = _refined_nodes(mesh.theta_nodes, levels)
    if shape is not None:
        theta, u = theta[:shape[0]], u[:shape[1]]
    uu, tt = np.meshgrid(u, theta)  # rows follow theta, columns follow u
    # From that guess 4 Gauss-Newton steps give the report of 30 from the generic guess
    # (to 1e-4 relative, checked for the presets and the recipe).
    return closest_parameters(p, verts, iterations=4, initial=(uu.ravel(), tt.ravel()))


SAME_LEVELS = -1  # smoothed_quality's default: normals rendered at the measured level


def smoothed_quality(p: SurfaceParams, levels: int, render_levels: int | None = SAME_LEVELS) -> QualityReport:
    """The quality report of the full surface smoothed at `levels`, without Blender: the same
    numbers as surface_quality() on the evaluated mesh of an untouched S-curve mirror, and
    its normals as rendered (optics.py) at `render_levels` (None: adaptive subdivision;
    by default `levels`)."""
    # optics builds on this module's meshes: imported here, so that the imports stay acyclic.
    from . import optics

    mesh = full_surface(p)
    verts, loops, starts, normals = limit_mesh(mesh.grid, levels)
    u, t = vertex_parameters(p, mesh, levels, verts)
    report = surface_quality(p, verts, loops, starts, normals, initial=(u, t), iterations=0)
    rendered = optics.rendered_normal_errors(p, levels if render_levels == SAME_LEVELS else render_levels)
    return replace(report, rendered_normals=rendered)


def smoothed_counts(p: SurfaceParams, levels: int) -> dict[str, int]:
    """Vertex and face counts of the full surface smoothed at `levels`."""
    rows, cols = p.arc_segments + 1, 2 * p.rows + 1
    return {"vertices": refined_count(rows, levels) * refined_count(cols, levels),
            "faces": p.arc_segments * 2 * p.rows * 4**levels}
