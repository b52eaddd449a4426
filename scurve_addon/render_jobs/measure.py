"""A surface's mesh statistics and quality report for its sidecars, in plain numpy (no bpy).

The numbers come from the control grid in closed form (scurve_addon.geometry.limit), so
any process can compute them: the render session does for each new surface, and the local
runner computes them ahead, in a thread of its own, while its session loads Blender and
renders, so the session finds them in its requests (LocalExecutor).
"""
from __future__ import annotations

from typing import Any

from ..defaults import SurfaceParams
from ..geometry import limit


def measure(surface: SurfaceParams) -> dict[str, Any]:
    """{"mesh": statistics, "quality": report} of a surface, as its sidecar records them."""
    control = {"vertices": (surface.arc_segments + 1) * (2 * surface.rows + 1),
               "faces": surface.arc_segments * 2 * surface.rows}
    rendered = {**limit.smoothed_counts(surface, surface.render_levels),
                "subdivision_levels": surface.render_levels}
    mesh = {"control": control, "rendered": rendered, "quality_subdivision_levels": surface.subdiv_levels}
    return {"mesh": mesh, "quality": limit.smoothed_quality(surface, surface.subdiv_levels).as_dict()}
