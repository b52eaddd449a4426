"""tools/normal_errors.py on exact points and normals (no render): zero error, every
region sampled, and a known tilt and offset measured as such."""
from __future__ import annotations

import math

import numpy as np

from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import optics, quality, shape
from tools import normal_errors


def exact_samples(params: SurfaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u, t = np.meshgrid(np.linspace(-1, 1, 40), np.linspace(0.06, 0.94, 23) * math.pi)
    u, t = u.ravel(), t.ravel()
    pts = shape.surface_points(u, t, params.radius, params.length, params.profile, params.s_bend)
    return u, pts, quality.surface_normals(params, u, t)


def test_exact_surface_has_no_error_in_any_region():
    params = SurfaceParams(profile="SMOOTH", s_bend=0.8)
    _, pts, normals = exact_samples(params)
    errors = normal_errors.normal_errors(params, pts, -normals)  # a back face's flipped normal is no error
    assert errors.normals.band.max < 1e-4 and errors.position_max_pct < 1e-6
    assert errors.normals.samples == errors.pixels == len(pts)  # every sample is inside the band
    assert all(errors.normals.regions[r].max < 1e-4 for r in optics.REGIONS)


def test_a_known_tilt_and_offset_are_measured():
    params = SurfaceParams()
    u, pts, normals = exact_samples(params)
    tilt = math.radians(0.05)  # turn every normal by 0.05 degrees about an axis across it
    axis = np.cross(normals, [0.0, 0.0, 1.0])
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    turned = normals * math.cos(tilt) + np.cross(axis, normals) * math.sin(tilt)
    errors = normal_errors.normal_errors(params, pts + 1e-4 * normals, turned)
    band = errors.normals.band
    assert abs(band.median - 0.05) < 1e-4 and abs(band.max - 0.05) < 1e-4
    assert abs(errors.position_max_pct - 0.01) < 1e-5  # 1e-4 R off the surface = 0.01 % R
    for region in optics.REGIONS:
        assert abs(errors.normals.regions[region].max - 0.05) < 1e-4
