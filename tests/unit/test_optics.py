"""Normals as rendered (geometry/optics.py) and the quality report that carries them, against
closed forms and relations that hold for any fit (no Blender needed)."""
from __future__ import annotations

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import full_surface, limit, optics, quality, shape

DEFAULT = SurfaceParams()
SMOOTH = SurfaceParams(profile="SMOOTH")
RECIPE = SurfaceParams(fit_limit_surface=False)


@pytest.mark.parametrize("prof, s_bend", [("LINEAR", 0.0), ("SMOOTH", 0.0), ("LINEAR", 0.8), ("SMOOTH", -0.5)])
def test_surface_derivatives_are_the_difference_quotients(prof, s_bend):
    rng = np.random.default_rng(3)
    u, t = rng.uniform(-1, 1, 200), rng.uniform(0, math.pi, 200)
    point, du, dt = shape.surface_derivatives(u, t, 1.3, 2.5, prof, s_bend)

    def at(uu, tt):
        return shape.surface_points(uu, tt, 1.3, 2.5, prof, s_bend)

    h = 1e-6
    assert np.abs(point - at(u, t)).max() < 1e-14
    assert np.abs(du - (at(u + h, t) - at(u - h, t)) / (2 * h)).max() < 1e-8
    assert np.abs(dt - (at(u, t + h) - at(u, t - h)) / (2 * h)).max() < 1e-8


def test_regions_partition_the_band():
    rng = np.random.default_rng(0)
    u, t = rng.uniform(-1, 1, 20000), rng.uniform(0, math.pi, 20000)
    band = quality.in_band(t)
    masks = optics.region_masks(u[band], t[band])
    assert set(masks) == set(optics.REGIONS)
    assert np.all(sum(m.astype(int) for m in masks.values()) == 1)  # each band point in exactly one
    ub, tb = u[band], t[band]
    assert np.all(np.abs(ub[masks["ends"]]) > 0.75)
    assert np.all(tb[masks["bottom"]] < 0.2 * math.pi) and np.all(tb[masks["top"]] > 0.8 * math.pi)
    inner = masks["interior"]
    assert np.all((np.abs(ub[inner]) <= 0.75) & (tb[inner] >= 0.2 * math.pi) & (tb[inner] <= 0.8 * math.pi))


def rotated(normals: np.ndarray, axes: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Each unit normal turned by its angle about its axis (unit, perpendicular to it)."""
    a = np.radians(angles_deg)[:, None]
    return normals * np.cos(a) + np.cross(axes, normals) * np.sin(a)


def test_statistics_of_prescribed_errors_are_the_weighted_percentiles():
    """Normals turned away from the analytic ones by known angles, with known integer weights:
    the percentiles are those of the list with each error repeated weight times."""
    rng = np.random.default_rng(1)
    n = 4000
    u, t = rng.uniform(-1, 1, n), rng.uniform(0, math.pi, n)
    errors = rng.uniform(0.0, 0.5, n)
    weights = rng.integers(0, 4, n).astype(float)
    ref = quality.surface_normals(DEFAULT, u, t)
    _, du, _ = shape.surface_derivatives(u, t, DEFAULT.radius, DEFAULT.length)
    tangent = du - ref * (du * ref).sum(1, keepdims=True)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    stats = optics.statistics(DEFAULT, 3, rotated(ref, tangent, errors), u, t, weights)

    band = quality.in_band(t)
    assert stats.samples == band.sum() and stats.levels == 3

    def expected(mask):
        listed = np.repeat(errors[mask], weights[mask].astype(int))
        return (np.quantile(listed, 0.5, method="inverted_cdf"), np.quantile(listed, 0.99, method="inverted_cdf"),
                errors[mask].max())  # the maximum counts samples of weight 0 too

    assert (stats.band.median, stats.band.p99, stats.band.max) == pytest.approx(expected(band), abs=1e-9)
    masks = optics.region_masks(u[band], t[band])
    for name in optics.REGIONS:
        region = np.zeros(n, bool)
        region[np.nonzero(band)[0][masks[name]]] = True
        got = stats.regions[name]
        assert (got.median, got.p99, got.max) == pytest.approx(expected(region), abs=1e-9), name


def level_mesh(p: SurfaceParams, levels: int):
    mesh = full_surface(p)
    verts, loops, starts, normals = limit.limit_mesh(mesh.grid, levels)
    u, t = limit.vertex_parameters(p, mesh, levels, verts)
    return verts, loops, starts, normals, u, t


def test_interpolating_exact_vertex_normals_is_second_order():
    """A mesh on the surface shaded with the analytic normals at its vertices: the vertex
    samples are exact and the error inside the triangles is that of linear interpolation,
    which falls 4x per level."""
    stats = []
    for levels in (1, 2, 3):
        verts, loops, starts, _, u, t = level_mesh(DEFAULT, levels)
        exact = quality.surface_normals(DEFAULT, u, t)
        stats.append(optics.mesh_normal_errors(DEFAULT, verts, loops, starts, exact, u, t, levels).band)
    for coarse, fine in zip(stats, stats[1:], strict=False):
        assert 3.5 < coarse.median / fine.median < 4.5
        assert 3.0 < coarse.max / fine.max < 4.5


def test_turned_vertex_normals_show_their_angle():
    """Every vertex normal of the level-3 mesh turned 0.1 deg about the surface's u direction:
    the rendered errors are 0.1 deg, up to the interpolation error of the exact normals."""
    verts, loops, starts, _, u, t = level_mesh(DEFAULT, 3)
    exact = quality.surface_normals(DEFAULT, u, t)
    floor = optics.mesh_normal_errors(DEFAULT, verts, loops, starts, exact, u, t, 3).band
    _, du, _ = shape.surface_derivatives(u, t, DEFAULT.radius, DEFAULT.length)
    axis = du - exact * (du * exact).sum(1, keepdims=True)
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    turned = optics.mesh_normal_errors(DEFAULT, verts, loops, starts, rotated(exact, axis, np.full(len(u), 0.1)),
                                       u, t, 3).band
    assert abs(turned.median - 0.1) <= floor.median + 1e-6
    assert 0.1 <= turned.p99 <= 0.1 + floor.p99 + 1e-6
    assert 0.1 <= turned.max <= 0.1 + floor.max + 1e-6


@pytest.mark.parametrize("p", [DEFAULT, SMOOTH, RECIPE], ids=["default", "smooth", "recipe"])
@pytest.mark.parametrize("levels", [2, None])
def test_percentiles_are_ordered_and_the_band_holds_its_regions(p, levels):
    e = optics.rendered_normal_errors(p, levels)
    assert e.levels == levels and e.samples > 1000
    for s in (e.band, *e.regions.values()):
        assert 0.0 <= s.median <= s.p99 <= s.max
    assert e.band.max == max(r.max for r in e.regions.values())
    assert e.regions[e.worst_region].max == pytest.approx(e.band.max, rel=1e-2)  # ties: bottom and top


@pytest.mark.parametrize("p", [DEFAULT, SMOOTH, RECIPE, SurfaceParams(arc_segments=12, rows=8, match_heights=False),
                               SurfaceParams(profile="SMOOTH", s_bend=0.3, arc_segments=9, rows=7)],
                         ids=["default", "smooth", "recipe", "unmatched-12x8", "s-bend-9x7"])
@pytest.mark.parametrize("levels", [3, None])
def test_a_symmetric_part_gives_the_whole_surfaces_statistics(p, levels, monkeypatch):
    """The half (level k) or quarter (adaptive) that optics measures of a symmetric mirror
    gives every percentile of the whole, band and regions, edge bands included."""
    part = optics.rendered_normal_errors(p, levels)
    monkeypatch.setattr(optics, "symmetric", lambda *_: False)
    whole = optics.rendered_normal_errors(p, levels)
    assert part.samples < (0.6 if levels else 0.3) * whole.samples
    for a, b in zip((whole.band, *whole.regions.values()), (part.band, *part.regions.values()), strict=True):
        assert (b.median, b.p99, b.max) == pytest.approx((a.median, a.p99, a.max), rel=1e-5)
    assert part.worst_region == whole.worst_region


def test_only_a_grid_with_both_symmetries_is_measured_in_part():
    assert optics.symmetric(DEFAULT, full_surface(DEFAULT).grid)
    bent = SurfaceParams(profile="SMOOTH", s_bend=0.3, arc_segments=9, rows=7)  # an even row count too
    assert optics.symmetric(bent, full_surface(bent).grid)
    grid = full_surface(DEFAULT).grid.copy()
    grid[3, 5, 0] += 1e-6  # a control point moved by hand
    assert not optics.symmetric(DEFAULT, grid)


def test_level_mesh_samples_are_blenders_vertex_normals():
    """At level k the vertex samples are limit.vertex_normals: their worst error is the
    report's max_normal_error_deg, which the triangles' samples can only add to."""
    for levels in (1, 2):
        report = limit.smoothed_quality(DEFAULT, levels)
        verts, loops, starts, normals, u, t = level_mesh(DEFAULT, levels)
        vertex_only = optics.statistics(DEFAULT, levels, normals, u, t, np.ones(len(u)))
        assert vertex_only.band.max == pytest.approx(report.max_normal_error_deg, rel=1e-12)
        assert report.rendered_normals is not None
        assert report.rendered_normals.band.max >= report.max_normal_error_deg


def test_limit_samples_are_the_limit_surface_normals():
    """Adaptive subdivision renders the limit surface, which the level-k meshes approach as k
    grows (in the interior, where no vertex normal is averaged over faces at a boundary)."""
    adaptive = optics.rendered_normal_errors(DEFAULT, None)
    interior = [optics.rendered_normal_errors(DEFAULT, k).regions["interior"] for k in (2, 3, 4)]
    gaps = [abs(s.median - adaptive.regions["interior"].median) for s in interior]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.2 * adaptive.regions["interior"].median


def test_fitted_mirror_renders_truer_normals_than_the_recipe():
    for levels in (3, None):
        fitted, recipe = optics.rendered_normal_errors(DEFAULT, levels), optics.rendered_normal_errors(RECIPE, levels)
        assert fitted.band.median < recipe.band.median / 5
        assert fitted.band.p99 < recipe.band.p99 and fitted.band.max < recipe.band.max
        assert fitted.regions["interior"].p99 < 0.05  # today 0.03 deg; the fit's edges do not reach it


def test_report_carries_the_rendered_normals_of_the_tessellation_asked_for():
    same = limit.smoothed_quality(DEFAULT, 2)
    assert same.rendered_normals == optics.rendered_normal_errors(DEFAULT, 2)
    assert limit.smoothed_quality(DEFAULT, 2, 3).rendered_normals == optics.rendered_normal_errors(DEFAULT, 3)
    adaptive = limit.smoothed_quality(DEFAULT, 2, None)
    assert adaptive.rendered_normals == optics.rendered_normal_errors(DEFAULT, None)
    # the rest of the report is the level-2 mesh's, whatever is rendered
    assert dataclasses.replace(adaptive, rendered_normals=None) == dataclasses.replace(same, rendered_normals=None)


def test_report_data_is_plain_and_says_what_it_measured():
    report = limit.smoothed_quality(DEFAULT, 2, None)
    data = report.as_dict()
    assert set(data) == {f.name for f in dataclasses.fields(report)}
    rendered = data["rendered_normals"]
    json.dumps(data, allow_nan=False)  # plain numbers and strings, no None (ID properties hold none)
    assert rendered["levels"] == "adaptive" and rendered["weighting"] == "area"
    assert set(rendered["regions"]) == set(optics.REGIONS) and rendered["worst_region"] in optics.REGIONS
    assert rendered["max_deg"] == report.rendered_normals.band.max
    first, second = optics.describe(rendered)
    assert re.fullmatch(r"Normals \(adaptive\) med/p99/max [0-9.]+/[0-9.]+/[0-9.]+ deg", first)
    assert re.fullmatch(r"Worst region (bottom|top|ends|interior), max [0-9.]+ deg", second)
    assert first.endswith(f"/{optics.deg(report.rendered_normals.band.max)} deg")
    assert "normals (adaptive) med/p99/max" in report.summary()
    assert optics.describe(limit.smoothed_quality(DEFAULT, 2).as_dict()["rendered_normals"])[0].startswith(
        "Normals (level 2)")


def test_degrees_read_to_two_figures():
    assert [optics.deg(x) for x in (0.0068, 0.0199, 0.2, 0.113, 2.44, 12.3, float("nan"), None)] == \
        ["0.0068", "0.020", "0.20", "0.11", "2.4", "12", "-", "-"]
