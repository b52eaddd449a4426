"""The Subdivision Surface modifier that smooths the mirror without the recipe's dips."""
from __future__ import annotations

from typing import cast

import bpy

from . import compat, defaults
from .defaults import SMOOTHING_MODIFIER_NAME, SurfaceParams


def adaptive_edge_length(p: SurfaceParams) -> float | None:
    """defaults.adaptive_edge_length in this Blender."""
    return defaults.adaptive_edge_length(p, compat.HAS_ADAPTIVE_SUBDIVISION)


def rendered_levels(p: SurfaceParams) -> int | None:
    """defaults.rendered_levels in this Blender."""
    return defaults.rendered_levels(p, compat.HAS_ADAPTIVE_SUBDIVISION)


def modifier_rendered_levels(mod: bpy.types.SubsurfModifier) -> int | None:
    """rendered_levels() of an object with this smoothing modifier, read from the modifier
    (its settings are what Cycles renders, whatever the stored parameters say)."""
    return None if compat.uses_adaptive_subdivision(mod) else mod.render_levels


def is_standard(mod: bpy.types.SubsurfModifier) -> bool:
    """The modifier smooths as ensure_smoothing() sets it up, which geometry.limit computes
    in closed form (a user may have changed it in the modifier panel since)."""
    return (mod.subdivision_type == "CATMULL_CLARK" and mod.boundary_smooth == "PRESERVE_CORNERS"
            and mod.use_limit_surface and mod.show_render)


def ensure_smoothing(obj: bpy.types.Object, levels: int, render_levels: int,
                     adaptive_edge: float | None = None) -> bpy.types.SubsurfModifier:
    """Add (or update, never stack) the smoothing modifier and shade the mesh smooth.

    'Keep Corners' boundary smoothing leaves the corners where they are, and with the seam
    welded the top and bottom edges are regular boundary curves, so they stay at z = 2R
    and z = 0 along the whole length: the recipe's dips came from the unwelded seam and
    the rounded corners. The limit surface option puts the vertices on the limit surface,
    which the exact-mirror fit targets. `adaptive_edge` (see adaptive_edge_length): Cycles
    subdivides at render time into edges that long instead of using `render_levels`.
    """
    found: bpy.types.Modifier | None = obj.modifiers.get(SMOOTHING_MODIFIER_NAME)
    if isinstance(found, bpy.types.SubsurfModifier):
        mod = found
    else:
        mod = cast(bpy.types.SubsurfModifier, obj.modifiers.new(SMOOTHING_MODIFIER_NAME, "SUBSURF"))
    mod.subdivision_type = "CATMULL_CLARK"
    mod.levels = levels
    mod.render_levels = render_levels
    mod.boundary_smooth = "PRESERVE_CORNERS"
    mod.use_limit_surface = True
    mod.quality = 3
    compat.set_adaptive_subdivision(mod, adaptive_edge)
    cast(bpy.types.Mesh, obj.data).shade_smooth()
    return mod


def smooth_as(obj: bpy.types.Object, p: SurfaceParams) -> bpy.types.SubsurfModifier:
    """ensure_smoothing() as the surface parameters `p` ask (their smoothing fields and, for
    the adaptive edge length, the radius)."""
    return ensure_smoothing(obj, p.subdiv_levels, p.render_levels, adaptive_edge_length(p))
