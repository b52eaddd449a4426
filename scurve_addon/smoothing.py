"""The Subdivision Surface modifier that smooths the mirror without the recipe's dips."""
from __future__ import annotations

from typing import cast

import bpy

from .defaults import SMOOTHING_MODIFIER_NAME


def ensure_smoothing(obj: bpy.types.Object, levels: int, render_levels: int) -> bpy.types.SubsurfModifier:
    """Add (or update, never stack) the smoothing modifier and shade the mesh smooth.

    'Keep Corners' boundary smoothing leaves the corners where they are, and with the seam
    welded the top and bottom edges are regular boundary curves, so they stay at z = 2R
    and z = 0 along the whole length: the recipe's dips came from the unwelded seam and
    the rounded corners. The limit surface option puts the vertices on the limit surface,
    which the exact-mirror fit targets.
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
    cast(bpy.types.Mesh, obj.data).shade_smooth()
    return mod
