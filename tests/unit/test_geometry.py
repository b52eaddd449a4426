"""The pure-numpy geometry against the closed forms of docs/design.md, "The surface" and
"The limit-surface fit" (no Blender needed)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from scurve_addon.defaults import SurfaceParams
from scurve_addon.geometry import bspline, full_surface, grid, half_patch, match_patch_heights, shape, surface

RECIPE = SurfaceParams(fit_limit_surface=False, arc_segments=16, rows=16)  # the recipe's construction, welded


def params(**kw) -> SurfaceParams:
    return dataclasses.replace(RECIPE, **kw)


@pytest.mark.parametrize("n, rows", [(16, 16), (8, 1), (5, 3), (32, 7)])
def test_counts(n, rows):
    m = full_surface(params(arc_segments=n, rows=rows))
    assert m.verts.shape == ((n + 1) * (2 * rows + 1), 3)
    assert len(m.starts) == 2 * rows * n
    assert np.all(grid.polygon_sizes(m.loops, m.starts) == 4)
    h = half_patch(params(arc_segments=n, rows=rows))
    assert h.verts.shape == ((n + 1) * (rows + 1), 3)
    assert len(h.starts) == rows * n


def test_matched_surface_is_the_closed_form():
    p = params(radius=1.3, length=2.5, arc_segments=12, rows=5)
    g = full_surface(p).grid
    theta = math.pi * np.arange(13) / 12
    # every row at one height, the height of its arc partner
    assert np.allclose(g[..., 2], (p.radius * (1 - np.cos(theta)))[:, None], atol=1e-12)
    # x = (y / L) R sin(theta) at every vertex
    y = g[..., 1]
    assert np.allclose(g[..., 0], y / p.length * p.radius * np.sin(theta)[:, None], atol=1e-12)
    assert np.allclose(y, np.linspace(-p.length, p.length, 11)[None, :], atol=1e-12)


def test_half_patch_line_and_arc():
    p = params(radius=0.7, length=3.0, arc_segments=10, rows=4)
    g = half_patch(p).grid
    theta = math.pi * np.arange(11) / 10
    centre, arc = g[:, 0], g[:, -1]
    assert np.allclose(centre[:, :2], 0.0)
    assert np.allclose(centre[:, 2], p.radius * (1 - np.cos(theta)))
    assert np.allclose(arc, np.stack([p.radius * np.sin(theta), np.full(11, p.length),
                                      p.radius * (1 - np.cos(theta))], 1))


def test_unmatched_patch_and_match_heights_step():
    p = params(radius=1.0, arc_segments=8, rows=4, match_heights=False)
    g = half_patch(p).grid
    assert np.allclose(g[:, 0, 2], np.linspace(0, 2.0, 9))  # centre line evenly spaced in z
    s = np.linspace(0, 1, 5)
    assert np.allclose(g[..., 2], (1 - s) * g[:, :1, 2] + s * g[:, -1:, 2])  # rows linear between partners
    matched = match_patch_heights(half_patch(p).verts, 8, 4)
    assert np.allclose(matched, half_patch(params(radius=1.0, arc_segments=8, rows=4)).verts)


def test_welded_manifold_and_consistently_oriented():
    m = full_surface(params(arc_segments=9, rows=6))
    assert grid.duplicate_vertex_count(m.verts) == 0
    edges, counts = grid.edge_face_counts(m.loops, m.starts)
    assert set(counts.tolist()) == {1, 2}
    # exactly the outline is boundary: top and bottom (2 x 12 edges) and the two arcs (2 x 9)
    assert (counts == 1).sum() == 2 * 12 + 2 * 9
    assert grid.directed_edge_conflicts(m.loops, m.starts) == 0


def face_normals(verts, loops):
    q = verts[loops.reshape(-1, 4)]
    return np.cross(q[:, 2] - q[:, 0], q[:, 3] - q[:, 1])


def test_normals_face_the_camera_side_at_the_centre():
    p = params(arc_segments=8, rows=4)
    m = full_surface(p)
    n = face_normals(m.verts, m.loops)
    centre = np.abs(m.verts[m.loops.reshape(-1, 4)].mean(1)[:, 1]) < p.length / 4
    assert np.all(n[centre, 0] > 0)


@pytest.mark.parametrize("kw", [{}, {"profile": "SMOOTH"}, {"s_bend": 0.7},
                                {"fit_limit_surface": True, "s_bend": -0.5}])
def test_half_turn_symmetry(kw):
    p = params(arc_segments=8, rows=5, **kw)
    g = full_surface(p).grid
    turned = g * np.array([-1.0, -1.0, 1.0])
    assert np.allclose(turned[:, ::-1], g, atol=1e-12)  # column j maps onto column 2 rows - j


def test_duplicate_rotate_join_gives_the_full_surface():
    p = params(arc_segments=7, rows=3)
    h = half_patch(p)
    verts, loops, starts, merged = grid.rotate_join_weld(h.verts, h.loops, h.starts)
    assert merged == 8  # the centre line
    full = full_surface(p)
    assert len(verts) == len(full.verts)
    # same vertex set, and the same quads once vertices are matched by position
    key = {tuple(np.round(v, 9)): i for i, v in enumerate(full.verts)}
    remap = np.array([key[tuple(np.round(v, 9))] for v in verts])
    ours = {tuple(np.roll(q, -np.argmin(q))) for q in remap[loops.reshape(-1, 4)]}
    theirs = {tuple(np.roll(q, -np.argmin(q))) for q in full.loops.reshape(-1, 4)}
    assert ours == theirs  # same faces with the same winding
    assert grid.directed_edge_conflicts(loops, starts) == 0


def test_flip_polygons_mixed_sizes():
    loops = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8])
    starts = np.array([0, 3, 7])
    assert grid.flip_polygons(loops, starts).tolist() == [0, 2, 1, 3, 6, 5, 4, 7, 8]


def test_limit_stencil_and_interpolation_are_inverse():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(23, 3))
    assert np.allclose(bspline.limit_positions(bspline.interpolate(x)), x)
    assert np.allclose(bspline.evaluate(x, np.arange(23.0)), bspline.limit_positions(x))
    assert np.allclose(bspline.evaluate(x, np.array([0.0, 22.0])), x[[0, -1]])  # ends interpolated


def test_limit_curve_derivatives_are_its_difference_quotients():
    """First and second derivatives against central differences, in a span and across the
    phantom-point end spans; zero curvature at both open ends (the end rule)."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(9, 2))
    t = np.array([0.01, 0.4, 3.5, 4.0, 7.2, 7.99])
    h = 1e-5
    d1 = (bspline.evaluate(x, t + h) - bspline.evaluate(x, t - h)) / (2 * h)
    d2 = (bspline.evaluate(x, t + h, 1) - bspline.evaluate(x, t - h, 1)) / (2 * h)
    assert np.allclose(bspline.evaluate(x, t, 1), d1, atol=1e-6)
    assert np.allclose(bspline.evaluate(x, t, 2), d2, atol=1e-5)
    assert np.allclose(bspline.evaluate(x, np.array([0.0, 8.0]), 2), 0.0, atol=1e-12)
    basis = bspline.evaluate(np.eye(9), t, 1)
    assert np.allclose(basis @ x, bspline.evaluate(x, t, 1))


def test_recipe_shrink_is_the_closed_form():
    """Unfitted, the half-circle's limit shrinks to R (4 + 2 cos(pi/16)) / 6 (0.64 % of R at 16 segments)."""
    p = params()
    arc = full_surface(p).grid[:, -1]  # the u = +1 end, a boundary curve
    limit = bspline.limit_positions(arc)
    centre = np.array([0.0, p.length, p.radius])
    r = np.linalg.norm(limit[1:-1] - centre, axis=1)
    assert np.allclose(r, (4 + 2 * math.cos(math.pi / 16)) / 6)
    assert 1 - r.min() == pytest.approx(0.0064, abs=5e-5)


def limit_distances(p: SurfaceParams, per_span: int = 8) -> np.ndarray:
    """Distances of densely evaluated limit-surface points to the analytic surface."""
    from scurve_addon.geometry.quality import closest_parameters

    g, _, _ = surface.control_grid(p)
    ti = np.linspace(0, p.arc_segments, p.arc_segments * per_span + 1)
    tj = np.linspace(0, 2 * p.rows, 2 * p.rows * per_span + 1)
    pts = bspline.evaluate(np.swapaxes(bspline.evaluate(g, ti), 0, 1), tj).reshape(-1, 3)
    u, t = closest_parameters(p, pts)
    return np.linalg.norm(shape.surface_points(u, t, p.radius, p.length, p.profile, p.s_bend) - pts, axis=1)


@pytest.mark.parametrize("kw", [{}, {"profile": "SMOOTH"}, {"s_bend": 0.8}, {"profile": "SMOOTH", "s_bend": -0.8}])
def test_fitted_limit_surface_meets_the_targets(kw):
    p = dataclasses.replace(SurfaceParams(), **kw)  # fit on: the default
    d = limit_distances(p) / p.radius
    assert d.max() <= 0.002 and np.median(d) <= 0.0001
    unfitted = limit_distances(dataclasses.replace(p, fit_limit_surface=False)) / p.radius
    assert unfitted.max() > 3 * d.max()


def test_smooth_profile_closed_form():
    u = np.linspace(-1, 1, 2001)
    a = shape.profile(u, "SMOOTH")
    da = np.gradient(a, u)
    assert a[0] == pytest.approx(-1) and a[-1] == pytest.approx(1) and a[1000] == pytest.approx(0)
    assert abs(da[1000]) < 1e-5 and abs(da[0]) < 1e-2 and abs(da[-1]) < 1e-2
    assert np.allclose(shape.profile(-u, "SMOOTH"), -a)
    with pytest.raises(ValueError):
        shape.profile(u, "WAVY")


def test_s_bend_keeps_ends_and_centre():
    p = params(s_bend=0.8, arc_segments=8, rows=4)
    g = full_surface(p).grid
    assert np.allclose(g[:, p.rows, :2], 0.0)  # the centre line is still the vertical axis
    # the ends are half circles of radius R about the centre line's end points
    for j, sign in ((0, -1), (-1, 1)):
        c = np.array([0.0, sign * p.length, p.radius])
        assert np.allclose(np.linalg.norm(g[:, j] - c, axis=1), p.radius)
    assert np.abs(g[0, :, 0]).max() > 0.5  # an S in plan: the bottom edge leaves x = 0


def test_folding_s_bend_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"folds the surface over itself.*keep s_bend above"):
        full_surface(params(s_bend=-2.0))
    full_surface(params(s_bend=2.0))  # the bulge on the outside of the bends cannot fold


def test_folding_check_matches_the_mesh():
    """Just inside the accepted range no quad of a fine mesh is inverted in plan."""
    limit = shape.max_s_bend(1.0, 3.0, "LINEAR", -1.0)
    g = full_surface(params(s_bend=-0.98 * limit, arc_segments=16, rows=64)).grid
    top = g[8]  # theta = pi / 2: the widest section
    seg = np.diff(top[:, :2], axis=0)
    assert np.all(seg[:, 1] > 0)  # y keeps increasing: no fold
    # and well past the limit the widest section does fold back on itself
    u = np.linspace(-1, 1, 4001)
    pts = shape.surface_points(u, np.full_like(u, math.pi / 2), 1.0, 3.0, "LINEAR", -1.3 * limit)
    assert np.any(np.diff(pts[:, 1]) < 0)


def test_vertex_limit_guard():
    with pytest.raises(ValueError, match="over the limit"):
        surface.validate(params(arc_segments=2048, rows=2048))
