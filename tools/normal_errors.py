"""How far rendered normals and hit points are from the analytic S-curve surface. Pure numpy.

Input: per-pixel world positions (the Position pass) and shading normals (the Normal pass)
of the pixels that hit the mirror, in the surface's local frame (tools/normal_passes.py).
Each pixel's hit point is taken to its closest surface point (quality.closest_parameters);
the angle between the pixel's shading normal and the analytic normal there is its normal
error. The statistics are the quality report's (scurve_addon.geometry.optics.statistics):
the band quality.NORMAL_BAND, the regions optics.REGIONS (bottom, top, ends, interior, as
optics.region_masks defines them), area-weighted percentiles; a pixel of an orthographic
view along `view` stands for the surface area 1 / |n . view| (pixel areas), so the median
is the one of the surface, as in the report, not of the screen.
Position error: the largest distance of any hit point (band or not) from the surface, % R.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import optics, quality, shape

# A pixel at a grazing angle stands for a large area; capped (the band never comes close:
# the smallest |n_x| there is sin(0.05 pi) = 0.16 for the front view).
MIN_COSINE = 1e-2


@dataclass(frozen=True)
class RenderedErrors:
    normals: optics.NormalErrors
    position_max_pct: float  # % of R
    position_median_pct: float
    pixels: int  # hit pixels (band or not)

    def as_dict(self) -> dict[str, Any]:
        return {"normals": self.normals.as_dict(), "position_max_pct": self.position_max_pct,
                "position_median_pct": self.position_median_pct, "pixels": self.pixels}

    def summary(self) -> str:
        b = self.normals.band
        return (f"median {b.median:.4f} p99 {b.p99:.4f} max {b.max:.4f} deg ({self.normals.samples} px in the "
                f"band), position max {self.position_max_pct:.4f} % R")


def normal_errors(params: SurfaceParams, points: np.ndarray, normals: np.ndarray, levels: int | None = None,
                  view: tuple[float, float, float] = (1.0, 0.0, 0.0)) -> RenderedErrors:
    """Errors of (k, 3) hit points and their (k, 3) shading normals, in the surface's frame;
    `levels`: the label of what was rendered (None: adaptive); `view`: the camera's axis."""
    points = np.asarray(points, dtype=float)
    normals = np.asarray(normals, dtype=float)
    if not len(points):
        raise ValueError("no pixel hit the mirror")
    u, t = quality.closest_parameters(params, points)
    on_surface = shape.surface_points(u, t, params.radius, params.length, params.profile, params.s_bend)
    distance = np.linalg.norm(on_surface - points, axis=1) / params.radius * 100
    cosine = np.abs(quality.surface_normals(params, u, t) @ np.asarray(view, dtype=float))
    weights = 1.0 / np.maximum(cosine, MIN_COSINE)
    return RenderedErrors(optics.statistics(params, levels, normals, u, t, weights),
                          float(distance.max()), float(np.median(distance)), len(points))
