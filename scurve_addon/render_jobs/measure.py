"""A surface's mesh statistics and quality report for its sidecars, in plain numpy (no bpy).

The numbers come from the control grid in closed form (scurve_addon.geometry.limit), so
any process can compute them: the render session does for each new surface, and the local
runner computes them ahead, in a thread of its own, while its session loads Blender and
renders, so the session finds them in its requests (LocalExecutor).

How Cycles tessellates the mirror depends on the session's Blender (adaptive subdivision
on 5.0, the render levels before: smoothing.rendered_levels). The runner does not load
Blender, so it guesses from the bpy wheel installed next to it (guess_rendered_levels);
the session checks the guess against its own Blender and measures again when it differs.
"""
from __future__ import annotations

import functools
import importlib.metadata
import threading
from collections.abc import Callable
from typing import Any

from .. import defaults
from ..defaults import SurfaceParams
from ..geometry import edge_fit, limit
from ..geometry.optics import levels_data
from ..geometry.surface import is_fitted


def measure(surface: SurfaceParams, rendered_levels: int | None) -> dict[str, Any]:
    """{"mesh": statistics, "quality": report, "rendered_levels": ...} of a surface, as its
    sidecar records them; `rendered_levels`: the level Cycles renders, None for adaptive."""
    control = {"vertices": (surface.arc_segments + 1) * (2 * surface.rows + 1),
               "faces": surface.arc_segments * 2 * surface.rows}
    if rendered_levels is None:  # Cycles dices it when it renders: no counts before that
        rendered: dict[str, Any] = {"adaptive_edge_length": defaults.adaptive_edge_length(surface, True)}
    else:
        rendered = {**limit.smoothed_counts(surface, rendered_levels), "subdivision_levels": rendered_levels}
    mesh = {"control": control, "rendered": rendered, "quality_subdivision_levels": surface.subdiv_levels}
    # The report at the viewport levels (what the sidebar's report of the object shows),
    # its normals as this Blender renders them.
    quality = limit.smoothed_quality(surface, surface.subdiv_levels, rendered_levels).as_dict()
    return {"mesh": mesh, "quality": quality, "rendered_levels": levels_data(rendered_levels)}


def surface_fits(surface: SurfaceParams, fit: bool = True) -> dict[str, Any] | None:
    """The fits of a surface's control net (geometry/edge_fit.py: 0.02-0.25 s per new arc or
    row count) for a render request, so that the session builds the mirror without fitting
    it again: fitted here if need be, or with `fit` False only if this process has them
    already. None for a surface without the fit."""
    return edge_fit.factor_fits(surface, fit) if is_fitted(surface) else None


def take_surface_fits(surface: SurfaceParams, fits: Any) -> bool:
    """Use the fits a request brought (surface_fits) for this surface; False if there were
    none, or not usable ones (then the session fits the surface itself)."""
    return fits is not None and is_fitted(surface) and edge_fit.take_factor_fits(surface, fits)


def guess_rendered_levels(surface: SurfaceParams) -> int | None:
    """smoothing.rendered_levels without Blender, for the bpy wheel beside this Python."""
    return defaults.rendered_levels(surface, _wheel_has_adaptive_subdivision())


@functools.cache
def _wheel_has_adaptive_subdivision() -> bool:
    """compat.HAS_ADAPTIVE_SUBDIVISION for the bpy wheel beside this Python (5.0 or later),
    read once: the package metadata lookup scans the installed distributions."""
    try:
        return int(importlib.metadata.version("bpy").split(".")[0]) >= 5
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False


class Measurer:
    """Measures surfaces (measure.measure) in a thread of its own, in the order given; `get`
    returns a surface's numbers once they are ready, else None (never waits); `wait` waits
    for them (None if the thread stopped, or failed, before them)."""

    def __init__(self, surfaces: list[SurfaceParams]):
        self._todo = list(dict.fromkeys(surfaces))
        self._done: dict[SurfaceParams, dict] = {}
        self._stopped = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True, name="measure")
        self._thread.start()

    def _run(self) -> None:
        try:
            for surface in self._todo:
                if self._stopped:
                    return
                numbers = measure(surface, guess_rendered_levels(surface))
                with self._changed:
                    self._done[surface] = numbers
                    self._changed.notify_all()
        except Exception:  # noqa: BLE001 - the session measures it itself (and reports any error)
            return
        finally:
            with self._changed:
                self._stopped = True
                self._changed.notify_all()

    def get(self, surface: SurfaceParams) -> dict | None:
        return self._done.get(surface)

    def wait(self, surface: SurfaceParams) -> dict | None:
        with self._changed:
            self._changed.wait_for(lambda: surface in self._done or self._stopped)
            return self._done.get(surface)

    def request_parts(self, surface: SurfaceParams) -> tuple[dict[str, Any], Callable[[], dict | None] | None]:
        """What a render request of `surface` carries from here: its numbers if ready, else a
        function that waits for them (they follow the request), and its fits if ready."""
        fields: dict[str, Any] = {}
        fits = surface_fits(surface, fit=False)
        if fits is not None:
            fields["fits"] = fits
        numbers = self.get(surface)
        if numbers is not None:
            fields["measured"] = numbers
            return fields, None
        return fields, functools.partial(self.wait, surface)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
