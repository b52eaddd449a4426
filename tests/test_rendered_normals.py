"""The rendered normals of the mirror: Cycles' Normal and Position passes of a real render
(tools/normal_passes.py: orthographic front view, 1 sample per pixel, box filter) against
the analytic surface (tools/normal_errors.py), on every supported Blender.

On 5.0 the mirrors render with adaptive subdivision (edges R/200) at their default 32 x 32
net and meet the issue's targets in the band: median <= 0.001 (with a little room), p99 <=
0.03 and max <= 0.1 degrees, hit points within 0.02 % R (at 480 px: Default 0.0009 / 0.009 /
0.042, SMOOTH 0.0008 / 0.015 / 0.041, Kistefos-like 0.0008 / 0.012 / 0.065). 4.2 and 4.5
render level 3 (no adaptive subdivision there). Each render is also held against the quality
report's prediction (geometry/optics.py), which with adaptive subdivision is the exact limit
surface: the dicing adds a little on top (DICING_*). A surface known to be wrong must fail
the loose bounds by far, so the measurement can fail: flat shading (16 x 16, level 3) gives
median 0.33, p99 1.1 degrees; the unfitted recipe (which shrinks inside the surface) 0.64 % R.
"""
from __future__ import annotations

import dataclasses
from typing import Any, cast

import bpy
import numpy as np
import pytest
from mathutils.bvhtree import BVHTree

from scurve_addon import build, compat, smoothing
from scurve_addon.defaults import PRESETS, SMOOTHING_MODIFIER_NAME, SurfaceParams
from scurve_addon.geometry import optics
from tools import normal_errors, normal_passes

# 480 x 160 pixels for the default mirror: ~15 pixel rows in each edge band. (At 120 rows a
# few pixels at the ends read 0.12 degrees that 160 rows and the closed form do not show.)
WIDTH = 480
MEDIAN_DEG = 0.03  # loose bounds that any smooth-shaded fitted mirror meets; wrong ones fail
P99_DEG = 0.3
MAX_DEG = 0.5
POSITION_PCT_R = 0.02  # the target

# (median, p99, max) each mirror reaches as rendered, in degrees: the targets
# (p99 0.03, max 0.1) where they are met, else what is reached, with a little room.
ADAPTIVE_BOUNDS = {"Default": (0.0012, 0.03, 0.1), "Kistefos-like": (0.0012, 0.03, 0.1),
                   "SMOOTH": (0.0012, 0.03, 0.1)}
# With adaptive subdivision the report takes the exact limit surface; Cycles' dicing into
# R/200 edges adds this much at most (measured at 480 px: p99 +0.0018-0.003, max +0.03-0.046).
DICING_P99_DEG, DICING_MAX_DEG = 0.004, 0.06
LEVEL_3_BOUNDS = {"Default": (0.012, 0.05, 0.25), "Kistefos-like": (0.005, 0.03, 0.1),
                  "SMOOTH": (0.017, 0.06, 0.2)}
MIRRORS = {"Default": SurfaceParams(), "SMOOTH": SurfaceParams(profile="SMOOTH"),
           "Kistefos-like": dataclasses.replace(SurfaceParams(), **PRESETS["Kistefos-like"])}


def render(params: SurfaceParams, flat: bool = False, level: int | None = None
           ) -> tuple[bpy.types.Object, normal_passes.Passes, normal_errors.RenderedErrors]:
    """Build and render the mirror (at its own render tessellation, or at `level`)."""
    obj = build.build_mirror(bpy.context, params)
    if flat:
        cast(bpy.types.Mesh, obj.data).shade_flat()
    if level is not None:
        normal_passes.apply_tessellation(obj, normal_passes.Tessellation(level), params.radius)
    passes = normal_passes.render_passes(bpy.context.scene, obj, params, WIDTH)
    hit = passes.hit
    return obj, passes, normal_errors.normal_errors(params, passes.position[hit], passes.normal[hit],
                                                    normal_passes.rendered_tessellation(obj))


@pytest.mark.parametrize("name", list(MIRRORS))
def test_rendered_normals_meet_the_targets_and_the_reports_prediction(clean_scene, name):
    params = MIRRORS[name]
    _, passes, errors = render(params)
    band = errors.normals.band
    assert errors.normals.samples > 0.3 * passes.hit.size  # the mirror fills much of the frame
    levels = smoothing.rendered_levels(params)
    assert (levels is None) == compat.HAS_ADAPTIVE_SUBDIVISION
    median, p99, largest = (ADAPTIVE_BOUNDS if levels is None else LEVEL_3_BOUNDS)[name]
    assert band.median <= median and band.p99 <= p99 and band.max <= largest, errors.summary()
    assert errors.position_max_pct <= POSITION_PCT_R, errors.summary()
    regions = errors.normals.regions
    assert all(not np.isnan(r.max) for r in regions.values()), regions
    # The quality report (closed form, area-weighted like this measurement) predicts the render:
    # the median to 15 %, p99 to 15 % below and 25 % above, and the maximum to within 30 % above (adaptive subdivision:
    # the report takes the exact limit surface, the dicing into R/200 edges adds a little; at
    # level 3 the report's maximum is at boundary vertices few pixels see, the render's is lower).
    report = optics.rendered_normal_errors(params, levels).band
    p99_room, max_room = (DICING_P99_DEG, DICING_MAX_DEG) if levels is None else (0.0, 0.0)
    assert abs(band.median - report.median) <= 0.15 * report.median, (errors.summary(), report)
    assert report.p99 * 0.85 <= band.p99 <= report.p99 * 1.25 + p99_room, (errors.summary(), report)
    assert band.max <= 1.3 * report.max + max_room, (errors.summary(), report)


def test_position_pass_is_the_rendered_mesh_at_each_pixel_centre(clean_scene):
    params = SurfaceParams()
    obj, passes, _ = render(params, level=3)  # a fixed level: the mesh below is the one rendered
    hit = passes.hit
    points = passes.position[hit]
    # each pixel's one ray goes through the pixel's centre (box filter of 0.01 px)
    y, z = passes.pixel_centres()
    assert np.abs(points[:, 1] - y[hit]).max() < 0.01 * passes.pixel_size
    assert np.abs(points[:, 2] - z[hit]).max() < 0.01 * passes.pixel_size
    # ... and ends on the mesh Cycles rendered: the render-level subdivision of the mirror
    mod = cast(bpy.types.SubsurfModifier, obj.modifiers[SMOOTHING_MODIFIER_NAME])
    mod.levels = mod.render_levels
    depsgraph = bpy.context.evaluated_depsgraph_get()
    tree: Any = BVHTree.FromObject(cast(Any, obj), depsgraph)  # the stubs' Object is another class
    gaps = np.array([tree.find_nearest(tuple(map(float, p)))[3] for p in points[::7]])
    assert gaps.max() < 1e-5 * params.radius
    # the mirror spans its full height (z from 0 to 2R) in the image
    assert z[hit].min() < passes.pixel_size and z[hit].max() > 2 * params.radius - passes.pixel_size


def test_flat_shading_fails_the_normal_bounds(clean_scene):
    _, _, errors = render(SurfaceParams(arc_segments=16, rows=16), flat=True, level=3)
    band = errors.normals.band
    assert band.p99 > 2 * P99_DEG and band.median > 5 * MEDIAN_DEG, errors.summary()
    assert errors.position_max_pct <= POSITION_PCT_R  # same mesh: only the normals are wrong


def test_unfitted_recipe_fails_the_position_bound(clean_scene):
    recipe = dataclasses.replace(SurfaceParams(), **PRESETS["Recipe"])
    _, _, errors = render(recipe)
    assert errors.position_max_pct > 10 * POSITION_PCT_R, errors.summary()


@pytest.mark.parametrize("codec", ["NONE", "ZIPS"])
def test_exr_reader_reads_every_codec_alike(clean_scene, monkeypatch, codec):
    """The reader (tools/exr.py) gives the same pixels for uncompressed and ZIPS files as for
    the ZIP files the passes use (16-line chunks; 5.0 writes multi-part files, 4.x single-part)."""
    params = SurfaceParams()
    obj = build.build_mirror(bpy.context, params)
    zipped = normal_passes.render_passes(bpy.context.scene, obj, params, 96)
    original = normal_passes.one_ray_per_pixel

    def other_codec(scene: bpy.types.Scene, width: int, height: int) -> None:
        original(scene, width, height)
        scene.render.image_settings.exr_codec = codec

    monkeypatch.setattr(normal_passes, "one_ray_per_pixel", other_codec)
    other = normal_passes.render_passes(bpy.context.scene, obj, params, 96)
    assert zipped.hit.sum() > 0.5 * zipped.hit.size
    assert np.array_equal(other.normal, zipped.normal) and np.array_equal(other.position, zipped.position)
