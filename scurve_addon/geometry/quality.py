"""How far a (subdivided) mesh is from the analytic S-curve surface. Pure numpy.

One function, `surface_quality`, serves the quality-report operator, the sidebar and the
render sidecars: distances from each vertex to the surface (closest point by projected
Gauss-Newton on (u, theta)), normal errors, edge deviations, seam and manifold checks.
The report's normals as Cycles renders them (median, 99th percentile and maximum, by
region) come from optics.py, added by limit.smoothed_quality and build.evaluated_quality.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from ..defaults import SurfaceParams
from . import grid, shape

if TYPE_CHECKING:
    from .optics import NormalErrors

NORMAL_BAND = 0.05  # normals are compared for theta in [0.05 pi, 0.95 pi]


def in_band(t: np.ndarray) -> np.ndarray:
    """Where normals are compared. Near the top and bottom edges the sections are ellipses of
    width A(u) R and height 2R: close to the centre line the analytic normal turns through
    90 degrees within a sliver no mesh resolves, so the band leaves those out."""
    return (t > NORMAL_BAND * math.pi) & (t < (1.0 - NORMAL_BAND) * math.pi)


def angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees between the lines of a and b, row by row (neither need be unit
    length; the sign does not count: a back face is shaded with its normal flipped)."""
    cos = np.abs((a * b).sum(1)) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-300)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _point(p: SurfaceParams, u: np.ndarray, t: np.ndarray) -> np.ndarray:
    return shape.surface_points(u, t, p.radius, p.length, p.profile, p.s_bend)


def _point_and_derivatives(p: SurfaceParams, u: np.ndarray,
                           t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P, dP/du and dP/dtheta (closed form)."""
    return shape.surface_derivatives(u, t, p.radius, p.length, p.profile, p.s_bend)


def _derivatives(p: SurfaceParams, u: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _, du, dt = _point_and_derivatives(p, u, t)
    return du, dt


def closest_parameters(p: SurfaceParams, points: np.ndarray, iterations: int = 30,
                       initial: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(u, theta) of the closest surface point to each point (points near the surface).

    `initial`: a good first guess of (u, theta) per point (a mesh whose vertices' intended
    parameters are known), which lets a few iterations do.
    """
    pts = np.asarray(points, dtype=float)
    if initial is not None:
        u, t = (np.array(a, dtype=float) for a in initial)
    else:
        u = np.clip(pts[:, 1] / p.length, -1.0, 1.0)
        t = np.arccos(np.clip(1.0 - pts[:, 2] / p.radius, -1.0, 1.0))
        if p.s_bend:  # the bend moves points along y: a few fixed-point steps on u first
            for _ in range(5):
                u = np.clip(u + (pts[:, 1] - _point(p, u, t)[:, 1]) / p.length, -1.0, 1.0)
    for _ in range(iterations):
        at, du, dt = _point_and_derivatives(p, u, t)
        r = at - pts
        a, b, c = (du * du).sum(1), (du * dt).sum(1), (dt * dt).sum(1)
        g1, g2 = (du * r).sum(1), (dt * r).sum(1)
        det = a * c - b * b
        ok = det > 1e-18
        step_u = np.where(ok, (c * g1 - b * g2) / np.where(ok, det, 1.0), 0.0)
        step_t = np.where(ok, (a * g2 - b * g1) / np.where(ok, det, 1.0), g2 / np.maximum(c, 1e-18))
        u = np.clip(u - step_u, -1.0, 1.0)
        t = np.clip(t - step_t, 0.0, math.pi)
    return u, t


def surface_normals(p: SurfaceParams, u: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Unit normals dP/du x dP/dtheta (facing +x at the centre line)."""
    t = np.clip(t, 1e-4, math.pi - 1e-4)  # the centre line's end points are parameter poles
    du, dt = _derivatives(p, u, t)
    n = np.cross(du, dt)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-300)


@dataclass(frozen=True)
class QualityReport:
    """Distances in metres, and relative to the radius; angles in degrees.

    max_normal_error_deg: the largest angle, in the normal band, between a vertex normal of
    the measured mesh and the analytic normal (at the vertices only). rendered_normals: the
    normals as Cycles renders the surface, interpolated across the faces of the render
    tessellation (which need not be the measured mesh's level), or None where not measured.
    """

    max_distance: float
    median_distance: float
    max_distance_rel: float
    median_distance_rel: float
    max_normal_error_deg: float
    top_edge_deviation: float
    bottom_edge_deviation: float
    seam_duplicate_vertices: int
    non_manifold_edges: int
    orientation_conflicts: int
    vertices: int
    faces: int
    rendered_normals: NormalErrors | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (sidecars, the object's stored report): rendered_normals as its as_dict()."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["rendered_normals"] = self.rendered_normals.as_dict() if self.rendered_normals else None
        return out

    def summary(self) -> str:
        rendered = f"{self.rendered_normals.summary()}; " if self.rendered_normals else ""
        return (f"max {self.max_distance_rel * 100:.3f} % R, median {self.median_distance_rel * 100:.4f} % R; "
                f"{rendered}vertex normals max {self.max_normal_error_deg:.2f} deg; "
                f"edges top {self.top_edge_deviation:.2e} m "
                f"bottom {self.bottom_edge_deviation:.2e} m, seam duplicates {self.seam_duplicate_vertices}, "
                f"non-manifold {self.non_manifold_edges}")


def surface_quality(p: SurfaceParams, verts: np.ndarray, loops: np.ndarray, starts: np.ndarray,
                    normals: np.ndarray | None = None,
                    initial: tuple[np.ndarray, np.ndarray] | None = None, iterations: int = 30) -> QualityReport:
    """Measure an (evaluated) mesh in the surface's local coordinates against the analytic surface.

    Edge deviations are measured on boundary vertices of the top and bottom edges (those
    within 1e-3 R of z = 2R or z = 0 and not on the half-circle ends): how far they stray
    from z = 2R and z = 0. Non-manifold edges: interior edges not shared by exactly two
    faces (an open sheet's boundary edges have one face and are fine).
    """
    verts = np.asarray(verts, dtype=float)
    u, t = closest_parameters(p, verts, iterations, initial)
    dist = np.linalg.norm(_point(p, u, t) - verts, axis=1)
    if normals is not None and len(normals):
        band = in_band(t)
        normal_err = float(angle_deg(normals[band], surface_normals(p, u[band], t[band])).max()) if band.any() else 0.0
    else:
        normal_err = float("nan")
    edges, counts = grid.edge_face_counts(loops, starts)
    boundary = np.zeros(len(verts), bool)
    boundary[edges[counts == 1].ravel()] = True
    tol = 1e-3 * p.radius
    inner = np.abs(u) < 1.0 - 1e-6  # not on the half-circle ends
    top = boundary & inner & (t > math.pi - 1e-3)
    bottom = boundary & inner & (t < 1e-3)
    axis = np.hypot(verts[:, 0], verts[:, 1]) < tol
    seam_dups = grid.duplicate_vertex_count(verts[axis], 1e-6 * p.radius) if axis.any() else 0
    return QualityReport(
        max_distance=float(dist.max()), median_distance=float(np.median(dist)),
        max_distance_rel=float(dist.max() / p.radius), median_distance_rel=float(np.median(dist) / p.radius),
        max_normal_error_deg=normal_err,
        top_edge_deviation=float(np.abs(verts[top, 2] - 2 * p.radius).max()) if top.any() else float("nan"),
        bottom_edge_deviation=float(np.abs(verts[bottom, 2]).max()) if bottom.any() else float("nan"),
        seam_duplicate_vertices=seam_dups,
        non_manifold_edges=int((counts > 2).sum()),
        orientation_conflicts=grid.directed_edge_conflicts(loops, starts),
        vertices=len(verts), faces=len(starts))
