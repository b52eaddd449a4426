"""Normals as Cycles renders them, against the analytic surface's normals. Pure numpy.

A smooth-shaded mesh is rendered with each triangle's shading normal interpolated
(barycentric, then normalised) from its three vertex normals; quads are split along their
corner-0 to corner-2 diagonal (Blender's triangulation of a quad, the loop triangles).
With adaptive subdivision (Blender 5.0, smoothing.rendered_levels() is None) Cycles dices
the limit surface into edges of defaults.ADAPTIVE_EDGE_PER_RADIUS * R and shades it with
the limit normals at the diced vertices; that is modelled here as the exact limit surface,
a lower bound: the research measured the dicing adding to the maximum (default mirror, edge
fit: 0.024 deg exact, 0.029 rendered at R/200, 0.071 at R/100; p99 within 7 %;
docs/research/rendered-normals/README.md, section 3).

The error of a sample is the angle between its shading normal and the analytic normal
(quality.surface_normals) at the analytic surface point closest to it. Statistics are
taken over the normal band of the quality report (theta from 0.05 pi to 0.95 pi,
quality.NORMAL_BAND), weighted by surface area: each sample stands for the area around it,
so the median is the error that half the mirror's area stays under, whatever the node
spacing of the fit. The maximum is over every sample.

Regions of the band (REGIONS, region_masks: the one place they are defined):
- 'ends': |u| > END_U (0.75), the quarter of each half nearest the half-circle end, at any
  height in the band;
- 'bottom' and 'top': the edge bands, theta within EDGE_BAND (0.2) pi of the bottom edge
  (z = 0) or of the top edge (z = 2R), with |u| <= END_U;
- 'interior': the rest.
Every band sample is in exactly one region.

Symmetry: every mirror this extension makes maps onto itself under the half turn about
the vertical axis ((x, y, z) -> (-x, -y, z), u -> -u) and under the mirror z -> 2R - z
(theta -> pi - theta). A normal's error is the same at a point and at its images. So the
limit surface is sampled on the quarter u <= 0, theta <= pi/2, and a rendered level-k mesh
on the half u <= 0 (each quad's split diagonal is one of the mirror's images of the other
half's), with the samples on a line of symmetry counted at their share: the same
percentiles for a quarter or half of the work. A control grid without both symmetries (not
one of ours) is measured whole (symmetric()).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..defaults import SurfaceParams
from . import bspline, limit
from .grid import grid_quads, polygon_sizes
from .quality import angle_deg, closest_parameters, in_band, surface_normals
from .surface import GridMesh, full_surface

EDGE_BAND = 0.2  # the edge bands: theta within 0.2 pi of the bottom or top edge
END_U = 0.75  # the ends: |u| beyond this
REGIONS = ("bottom", "top", "ends", "interior")

# Adaptive subdivision: the limit surface is sampled at knot steps of 1/LIMIT_PER_SPAN
# (the vertices of level log2(LIMIT_PER_SPAN)), each sample weighted by its area.
LIMIT_PER_SPAN = 8
# Gauss-Newton steps for a triangle's centroid, from its vertices' parameters averaged:
# one step gives the statistics of four to 4 digits (default and SMOOTH, level 3).
FACE_ITERATIONS = 1
WEIGHTING = "area"


@dataclass(frozen=True)
class Percentiles:
    """Normal error in degrees: area-weighted median and 99th percentile, and maximum."""

    median: float
    p99: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {"median_deg": self.median, "p99_deg": self.p99, "max_deg": self.max}


@dataclass(frozen=True)
class NormalErrors:
    """The shading-normal error of a rendered surface, in the band and by region."""

    levels: int | None  # the subdivision level rendered; None: adaptive (the limit surface)
    samples: int  # samples measured in the band (of a symmetric mirror, its half or quarter's)
    band: Percentiles
    regions: dict[str, Percentiles]  # REGIONS -> its percentiles (NaN where it has no samples)

    @property
    def worst_region(self) -> str:
        """The region with the largest maximum error: the first of REGIONS among those within
        1 % of it, equal to the two figures shown (the surface is symmetric under z -> 2R - z,
        so the bottom and top bands' maxima agree, up to 0.2 % on Blender's float32 meshes)."""
        maxima = [self.regions[r].max for r in REGIONS]
        top = max((m for m in maxima if not math.isnan(m)), default=math.nan)
        return next((r for r, m in zip(REGIONS, maxima, strict=True) if m >= top * (1.0 - 1e-2)), REGIONS[-1])

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON sidecars and ID properties (which hold no None): `levels` is
        the level, or the string "adaptive"."""
        return {"levels": levels_data(self.levels), "weighting": WEIGHTING,
                "samples": self.samples, **self.band.as_dict(),
                "regions": {name: self.regions[name].as_dict() for name in REGIONS},
                "worst_region": self.worst_region}

    def summary(self) -> str:
        return "; ".join(line[0].lower() + line[1:] for line in describe(self.as_dict()))


def levels_data(levels: int | None) -> int | str:
    """A render tessellation as plain data: the level, or "adaptive" for None."""
    return "adaptive" if levels is None else levels


def deg(value: Any) -> str:
    """An error in degrees to two significant figures: 0.0068, 0.020, 0.11, 2.4, 12 (None, as a
    JSON sidecar has NaN, and NaN: "-")."""
    if value is None or math.isnan(value):
        return "-"
    if value >= 10.0:
        return f"{value:.0f}"
    return f"{value:#.2g}" if value >= 1e-4 else f"{value:.0e}"


def describe(data: Mapping[str, Any]) -> tuple[str, str]:
    """Two short lines for the sidebar and the operator's message, from NormalErrors.as_dict()
    (or the copy of it stored on the object):
    "Normals (level 3) med/p99/max 0.011/0.20/0.42 deg" and "Worst region bottom, max 0.42 deg"."""
    levels = data["levels"]
    tessellation = levels if isinstance(levels, str) else f"level {levels}"
    worst = data["worst_region"]
    return (f"Normals ({tessellation}) med/p99/max {deg(data['median_deg'])}/{deg(data['p99_deg'])}/"
            f"{deg(data['max_deg'])} deg",
            f"Worst region {worst}, max {deg(data['regions'][worst]['max_deg'])} deg")


def region_masks(u: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Region -> mask, for samples in the band (see the module docstring)."""
    ends = np.abs(u) > END_U
    bottom = ~ends & (t < EDGE_BAND * math.pi)
    top = ~ends & (t > (1.0 - EDGE_BAND) * math.pi)
    return {"bottom": bottom, "top": top, "ends": ends, "interior": ~(ends | bottom | top)}


def percentiles(err: np.ndarray, weights: np.ndarray) -> Percentiles:
    """err: errors in degrees, sorted ascending; weights: the area each sample stands for.

    A percentile q is the smallest error e with at least a fraction q of the total weight on
    errors <= e (the inverted cumulative distribution: a sample of weight 0 is never one)."""
    if not len(err):
        return Percentiles(float("nan"), float("nan"), float("nan"))
    cumulative = np.cumsum(weights)
    if not cumulative[-1] > 0:
        return Percentiles(float("nan"), float("nan"), float(err[-1]))
    i = np.minimum(np.searchsorted(cumulative, np.array([0.5, 0.99]) * cumulative[-1], side="left"), len(err) - 1)
    return Percentiles(float(err[i[0]]), float(err[i[1]]), float(err[-1]))


def statistics(p: SurfaceParams, levels: int | None, normals: np.ndarray, u: np.ndarray, t: np.ndarray,
               weights: np.ndarray, part: bool = False) -> NormalErrors:
    """NormalErrors of samples with shading normals `normals` whose closest surface points
    are at (u, t); weights: the area each stands for. `part`: the samples are a half or a
    quarter of a symmetric surface (module docstring), where either edge band of the whole
    has the values of both edge bands of the part together."""
    band = in_band(t)
    u, t, w = u[band], t[band], weights[band]
    err = angle_deg(normals[band], surface_normals(p, u, t))
    order = np.argsort(err)  # one sort serves the band and every region
    err, w = err[order], w[order]
    masks = region_masks(u[order], t[order])
    if part:
        masks["bottom"] = masks["top"] = masks["bottom"] | masks["top"]
    return NormalErrors(levels, int(band.sum()), percentiles(err, w),
                        {name: percentiles(err[masks[name]], w[masks[name]]) for name in REGIONS})


def _triangles(loops: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(T, 3) vertex indices: each polygon as a fan from its first corner, which for a quad
    is Blender's split (corners 0 1 2 and 0 2 3). Larger polygons (a mesh edited by hand)
    are triangulated otherwise by Blender; the fan is an approximation for them. (On our
    grids the other diagonal gives the same statistics: the mirror z -> 2R - z maps the
    surface onto itself and one diagonal of every quad onto the other.)"""
    sizes = polygon_sizes(loops, starts)
    count = np.maximum(sizes - 2, 0)
    poly = np.repeat(np.arange(len(starts)), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + 1
    first = starts[poly]
    return np.stack([loops[first], loops[first + k], loops[first + k + 1]], axis=1)


def mesh_normal_errors(p: SurfaceParams, verts: np.ndarray, loops: np.ndarray, starts: np.ndarray,
                       normals: np.ndarray, u: np.ndarray, t: np.ndarray, levels: int | None,
                       part: bool = False) -> NormalErrors:
    """Shading-normal errors of a smooth-shaded mesh (verts, loops, starts, vertex normals)
    rendered as is; (u, t): the vertices' closest surface parameters (the quality report's
    solve); `levels`: the label of what was measured; `part`: as for statistics().

    Samples: each triangle's centroid (weight 3/4 of its area) and its three vertices (1/12
    of its area each, summed over the triangles around a vertex): the degree-2 quadrature
    rule, so the percentiles are of the area. For the default and SMOOTH mirrors at level 3
    this gives the median and p99 of 16 points per triangle to 1 %, for a sample count of
    three per quad.
    """
    verts, normals = np.asarray(verts, dtype=float), np.asarray(normals, dtype=float)
    tri = _triangles(np.asarray(loops), np.asarray(starts))
    corners = verts[tri]  # (T, 3 corners, 3)
    area = 0.5 * np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1)
    vertex_weight = np.bincount(tri.ravel(), weights=np.repeat(area / 12.0, 3), minlength=len(verts))
    cu, ct = closest_parameters(p, corners.mean(axis=1), FACE_ITERATIONS,
                                initial=(u[tri].mean(axis=1), t[tri].mean(axis=1)))
    return statistics(p, levels, np.concatenate([normals, normals[tri].mean(axis=1)]),
                      np.concatenate([u, cu]), np.concatenate([t, ct]),
                      np.concatenate([vertex_weight, 0.75 * area]), part)


def limit_normal_errors(p: SurfaceParams, mesh: GridMesh, per_span: int = LIMIT_PER_SPAN) -> NormalErrors:
    """Normal errors of the exact limit surface of the control grid, as adaptive subdivision
    renders it: samples at knot steps 1/per_span (per_span a power of two), normals
    dQ/da x dQ/db from the B-spline derivatives, weights |dQ/da x dQ/db| da db (the
    trapezoid rule: halved on the boundary rows and columns)."""
    level = int(round(math.log2(per_span)))  # the samples are this level's vertices
    ctrl = mesh.grid
    rows, cols = ctrl.shape[:2]
    a = np.linspace(0.0, cols - 1, limit.refined_count(cols, level))  # along u (columns)
    b = np.linspace(0.0, rows - 1, limit.refined_count(rows, level))  # along theta (rows)
    wa, wb = _trapezoid(len(a)), _trapezoid(len(b))
    part = symmetric(p, ctrl)
    if part:  # the quarter u <= 0, theta <= pi/2 (module docstring)
        (a, wa), (b, wb) = _first_half(a, wa), _first_half(b, wb)

    # the grid evaluated (or differentiated) along the rows once, then along the columns
    along_rows = {d: np.swapaxes(bspline.evaluate(ctrl, b, d), 0, 1) for d in (0, 1)}  # (cols, R', 3)

    def derivative(d_rows: int, d_cols: int) -> np.ndarray:
        return np.swapaxes(bspline.evaluate(along_rows[d_rows], a, d_cols), 0, 1)

    normal = np.cross(derivative(0, 1), derivative(1, 0))  # dQ/da x dQ/db
    weights = (np.linalg.norm(normal, axis=-1) * np.outer(wb, wa)).ravel()
    verts = derivative(0, 0).reshape(-1, 3)  # the limit points: limit.limit_grid at these parameters
    u, t = limit.vertex_parameters(p, mesh, level, verts, shape=(len(b), len(a)))
    return statistics(p, None, normal.reshape(-1, 3), u, t, weights, part)


def _trapezoid(n: int) -> np.ndarray:
    w = np.ones(n)
    w[[0, -1]] = 0.5
    return w


def _first_half(x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The samples up to the middle one of an odd count, the middle one (on the line of
    symmetry, its own image) at half its weight."""
    assert len(x) % 2 == 1, "a refined count is odd"
    middle = (len(x) - 1) // 2
    half = weights[:middle + 1].copy()
    half[middle] *= 0.5
    return x[:middle + 1], half


def symmetric(p: SurfaceParams, grid: np.ndarray) -> bool:
    """Whether the control grid (rows along theta, columns along u) maps onto itself under the
    half turn about the vertical axis and under z -> 2R - z, to rounding: every grid this
    extension builds does. (The refined samples then have a middle row and column: their
    counts, (n - 1) * 2**k + 1, are odd.)"""
    tol = 1e-9 * max(1.0, float(np.abs(grid).max()))
    turned = grid[:, ::-1] * [-1.0, -1.0, 1.0]
    mirrored = grid[::-1, :] * [1.0, 1.0, -1.0] + [0.0, 0.0, 2.0 * p.radius]
    return bool(np.abs(turned - grid).max() <= tol and np.abs(mirrored - grid).max() <= tol)


def rendered_normal_errors(p: SurfaceParams, levels: int | None) -> NormalErrors:
    """The shading-normal errors of the full surface as Cycles renders it: smoothed at
    subdivision level `levels` (Blender's vertex normals interpolated across each
    triangle), or with adaptive subdivision (`levels` None: the exact limit surface)."""
    mesh = full_surface(p)
    if levels is None:
        return limit_normal_errors(p, mesh)
    grid = limit.limit_grid(mesh.grid, levels)
    normals = limit.vertex_normals(grid)  # of the whole mesh: the middle column's need both sides
    part = symmetric(p, mesh.grid)
    if part:  # the half u <= 0 (module docstring)
        middle = (grid.shape[1] - 1) // 2
        grid, normals = grid[:, :middle + 1], normals[:, :middle + 1]
    rows, cols = grid.shape[:2]
    loops, starts = grid_quads(rows, cols)
    verts = grid.reshape(-1, 3)
    u, t = limit.vertex_parameters(p, mesh, levels, verts, shape=(rows, cols))
    return mesh_normal_errors(p, verts, loops, starts, normals.reshape(-1, 3), u, t, levels, part)
