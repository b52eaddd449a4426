"""How far rendered normals and hit points are from the analytic S-curve surface. Pure numpy.

Input: per-pixel world positions (the Position pass) and shading normals (the Normal pass)
of the pixels that hit the mirror, in the surface's local frame (tools/normal_passes.py).
Each pixel's hit point is taken to its closest surface point (quality.closest_parameters);
the angle between the pixel's shading normal and the analytic normal there is its normal
error (sign ignored: Cycles flips the normal of a back face). Only pixels inside the band
quality.NORMAL_BAND (0.05 pi < theta < 0.95 pi) count: closer to the top and bottom edges
the analytic normal turns through 90 degrees within a sliver no mesh resolves.

Regions of the band (disjoint), where the fit's errors gather:
  bottom    0.05 pi < theta < 0.2 pi (any u)
  top       0.8 pi < theta < 0.95 pi (any u)
  ends      |u| > 0.75, between those
  interior  the rest
Position error: the largest distance of any hit point (all pixels, band or not) from the
surface, in % of R.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import quality, shape

BAND = (quality.NORMAL_BAND * math.pi, (1.0 - quality.NORMAL_BAND) * math.pi)
EDGE_BAND = 0.2 * math.pi  # bottom: theta below this; top: above pi minus this
END_U = 0.75
REGIONS = ("bottom", "top", "ends", "interior")


@dataclass(frozen=True)
class Percentiles:
    """Normal errors of a set of pixels, in degrees (nan where the set is empty)."""

    pixels: int
    median: float
    p99: float
    max: float

    @classmethod
    def of(cls, errors: np.ndarray) -> Percentiles:
        if len(errors) == 0:
            return cls(0, math.nan, math.nan, math.nan)
        median, p99 = np.quantile(errors, (0.5, 0.99))
        return cls(len(errors), float(median), float(p99), float(errors.max()))


@dataclass(frozen=True)
class NormalErrors:
    band: Percentiles
    regions: dict[str, Percentiles]
    position_max_pct: float  # % of R
    position_median_pct: float
    pixels: int  # hit pixels (band or not)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        b = self.band
        return (f"median {b.median:.4f} p99 {b.p99:.4f} max {b.max:.4f} deg ({b.pixels} px in the band), "
                f"position max {self.position_max_pct:.4f} % R")


def angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between the lines of unit vectors `a` and vectors `b` (either direction), degrees."""
    cos = np.abs((a * b).sum(1)) / np.maximum(np.linalg.norm(b, axis=1), 1e-300)
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def region_masks(u: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """The regions above, for parameters already inside the band."""
    bottom = t < EDGE_BAND
    top = t > math.pi - EDGE_BAND
    ends = ~bottom & ~top & (np.abs(u) > END_U)
    return {"bottom": bottom, "top": top, "ends": ends, "interior": ~bottom & ~top & ~ends}


def normal_errors(params: SurfaceParams, points: np.ndarray, normals: np.ndarray) -> NormalErrors:
    """Errors of (k, 3) hit points and their (k, 3) shading normals, in the surface's frame."""
    points = np.asarray(points, dtype=float)
    normals = np.asarray(normals, dtype=float)
    u, t = quality.closest_parameters(params, points)
    on_surface = shape.surface_points(u, t, params.radius, params.length, params.profile, params.s_bend)
    distance = np.linalg.norm(on_surface - points, axis=1)
    band = (t > BAND[0]) & (t < BAND[1])
    errors = angle_deg(quality.surface_normals(params, u[band], t[band]), normals[band])
    masks = region_masks(u[band], t[band])
    return NormalErrors(
        band=Percentiles.of(errors),
        regions={name: Percentiles.of(errors[m]) for name, m in masks.items()},
        position_max_pct=float(distance.max() / params.radius * 100) if len(distance) else math.nan,
        position_median_pct=float(np.median(distance) / params.radius * 100) if len(distance) else math.nan,
        pixels=len(points))
