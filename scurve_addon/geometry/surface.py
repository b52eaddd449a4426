"""Vertex and quad arrays of the half patch and of the full S-curve surface.

Grid layout: rows follow theta (i = 0 at the bottom edge z=0, i = arc_segments at the
top edge z=2R), columns follow u (the length). Vertex (i, j) has index i * columns + j.
The full surface has columns u = -1 ... 1 (2 * rows + 1 of them, centre line in the
middle, welded by construction); the half patch is its u >= 0 half, centre line first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..defaults import MAX_VERTICES, SurfaceParams
from . import edge_fit, shape
from .grid import grid_quads


@dataclass(frozen=True)
class GridMesh:
    """A quad-grid mesh plus the parameters its vertices were placed at."""

    verts: np.ndarray  # (rows * cols, 3)
    loops: np.ndarray  # (4 * quads,) int32
    starts: np.ndarray  # (quads,) int32
    rows: int  # vertex rows along theta
    cols: int  # vertex columns along u
    u_nodes: np.ndarray  # (cols,) parameter u of each column's limit position
    theta_nodes: np.ndarray  # (rows,) parameter theta of each row's limit position
    fitted: bool

    @property
    def grid(self) -> np.ndarray:
        return self.verts.reshape(self.rows, self.cols, 3)


def vertex_count(p: SurfaceParams, half: bool = False) -> int:
    cols = p.rows + 1 if half else 2 * p.rows + 1
    return (p.arc_segments + 1) * cols


def validate(p: SurfaceParams, half: bool = False) -> None:
    """Raise ValueError with a user-facing message for parameters that cannot be built."""
    if p.radius <= 0 or p.length <= 0:
        raise ValueError("radius and length must be positive")
    if p.arc_segments < 2 or p.rows < 1:
        raise ValueError("arc_segments must be at least 2 and rows at least 1")
    count = vertex_count(p, half)
    if count > MAX_VERTICES:
        raise ValueError(f"{count:,} vertices is over the limit of {MAX_VERTICES:,}: "
                         "lower arc_segments or rows")
    shape.profile(np.zeros(1), p.profile)  # unknown profile -> ValueError
    shape.check_no_fold(p.radius, p.length, p.profile, p.s_bend)


def is_fitted(p: SurfaceParams) -> bool:
    """The fit needs the intended (analytic) surface, so it applies with heights matched."""
    return bool(p.fit_limit_surface and p.match_heights)


def control_grid(p: SurfaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Control vertices of the full surface, (arc_segments+1, 2*rows+1, 3), and the parameters
    (u of each column, theta of each row) of their limit points."""
    validate(p)
    if is_fitted(p):
        # Each factor is fitted on its own (geometry/edge_fit.py): the limit operator is a
        # tensor product, so the limit surface of the combined control net is the
        # combination of the fitted factors.
        sh = edge_fit.section_controls(p.arc_segments, p.length / p.radius)
        cw = edge_fit.plan_controls(p)
        grid = shape.combine(cw[:, :2], cw[:, 2:], sh[:, 0], sh[:, 1], p.radius)
        return grid, edge_fit.plan_parameters(p, cw), edge_fit.section_parameters(sh)
    u = np.linspace(-1.0, 1.0, 2 * p.rows + 1)
    theta = math.pi * np.linspace(0.0, 1.0, p.arc_segments + 1)
    c, w = shape.plan_terms(u, p.length, p.profile, p.s_bend)
    s, h = shape.section_terms(theta)
    grid = shape.combine(c, w, s, h, p.radius)
    if not p.match_heights:
        # The recipe before its step 10: centre line evenly spaced in z, rows interpolating
        # linearly in height between the centre-line vertex and its arc partner.
        centre_z = np.linspace(0.0, 2.0 * p.radius, p.arc_segments + 1)
        weight = np.abs(np.linspace(-1.0, 1.0, 2 * p.rows + 1))
        grid[..., 2] = (1.0 - weight)[None, :] * centre_z[:, None] + weight[None, :] * grid[..., 2]
    return grid, u, theta


def full_surface(p: SurfaceParams) -> GridMesh:
    """The joined, welded S-curve surface."""
    grid, u, theta = control_grid(p)
    rows, cols = grid.shape[:2]
    loops, starts = grid_quads(rows, cols)
    return GridMesh(grid.reshape(-1, 3), loops, starts, rows, cols, u, theta, is_fitted(p))


def half_patch(p: SurfaceParams) -> GridMesh:
    """The half-circle-to-line patch: the u >= 0 half of the full control net.

    Because the fit is linear and symmetric under the half turn, duplicating, turning and
    welding this patch gives back exactly the full surface's control net.
    """
    grid, u, theta = control_grid(p)
    half = np.ascontiguousarray(grid[:, p.rows:])
    rows, cols = half.shape[:2]
    loops, starts = grid_quads(rows, cols)
    return GridMesh(half.reshape(-1, 3), loops, starts, rows, cols, u[p.rows:], theta, is_fitted(p))


def match_patch_heights(verts: np.ndarray, arc_segments: int, rows: int) -> np.ndarray:
    """The recipe's step 10 on a patch laid out as by half_patch: every vertex of row i
    (the centre-line vertex and those between it and its partner) takes the height of its
    arc partner. The arc itself is never moved, and x and y stay as they are."""
    grid = np.array(verts, dtype=float).reshape(arc_segments + 1, rows + 1, 3)
    grid[:, :, 2] = grid[:, -1:, 2]
    return grid.reshape(-1, 3)
