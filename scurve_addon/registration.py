"""Registration of the extension's classes, properties, menus and handlers.

Explicit order, reversed on unregister. All or nothing: if any step of register() fails,
the steps already done are undone before the error propagates, so Blender is left as it
was and enabling the extension again works.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

import bpy

from . import live, presets
from .command import CLI_ID, cli_main
from .geometry import fit_cache
from .operators.add_mirror_material import SCURVE_OT_add_mirror_material
from .operators.add_patch import SCURVE_OT_add_patch
from .operators.add_smoothing import SCURVE_OT_add_smoothing
from .operators.build_mirror import SCURVE_OT_build_mirror
from .operators.duplicate_rotate_join import SCURVE_OT_duplicate_rotate_join
from .operators.live_edit import (
    SCURVE_OT_apply_preset,
    SCURVE_OT_edit_mirror,
    SCURVE_OT_freeze,
    SCURVE_OT_rebuild_from_parameters,
)
from .operators.match_heights import SCURVE_OT_match_heights
from .operators.quality_report import SCURVE_OT_quality_report
from .operators.render_jobs import CLASSES as RENDER_CLASSES
from .operators.render_jobs import stop_running
from .operators.setup_scene import SCURVE_OT_setup_scene
from .ui import (
    VIEW3D_PT_scurve,
    VIEW3D_PT_scurve_edit,
    VIEW3D_PT_scurve_render,
    menu_add_mesh,
    menu_object_context,
)
from .variants import SCurveRenderSettings

CLASSES: list[type] = [
    live.SCurveObjectProps,
    SCURVE_OT_add_patch,
    SCURVE_OT_match_heights,
    SCURVE_OT_duplicate_rotate_join,
    SCURVE_OT_add_smoothing,
    SCURVE_OT_add_mirror_material,
    SCURVE_OT_build_mirror,
    SCURVE_OT_quality_report,
    SCURVE_OT_setup_scene,
    SCURVE_OT_edit_mirror,
    SCURVE_OT_rebuild_from_parameters,
    SCURVE_OT_freeze,
    SCURVE_OT_apply_preset,
    *RENDER_CLASSES,
    VIEW3D_PT_scurve,
    VIEW3D_PT_scurve_edit,
    VIEW3D_PT_scurve_render,
]

MENUS = (("VIEW3D_MT_mesh_add", menu_add_mesh), ("VIEW3D_MT_object_context_menu", menu_object_context))

# What register() has done, as the calls that undo it (last first on the way out).
_undo: list[Callable[[], None]] = []


def _menu(name: str) -> Any:
    return getattr(bpy.types, name)


def _remove_menu(name: str, fn: Callable[..., None]) -> None:
    _menu(name).remove(fn)


def _unwind() -> None:
    errors = []
    while _undo:
        step = _undo.pop()
        try:
            step()
        except (RuntimeError, ValueError, AttributeError) as err:  # keep undoing the rest
            errors.append(err)
    if errors:
        print(f"S-Curve: {len(errors)} step(s) could not be undone: {errors}", flush=True)


def _add_render_settings() -> None:
    cast(Any, bpy.types.Scene).scurve_render = bpy.props.PointerProperty(  # type: ignore[func-returns-value]
        type=SCurveRenderSettings, name="S-Curve Render", description="The sidebar's Render section")


def _remove_render_settings() -> None:
    if hasattr(bpy.types.Scene, "scurve_render"):
        del cast(Any, bpy.types.Scene).scurve_render


# The installed extension's package ("bl_ext.user_default.scurve_mirror"), else "" (a checkout).
EXTENSION = __package__.removesuffix(".scurve_addon") if __package__.startswith("bl_ext.") else ""


def _use_extension_fit_cache() -> None:
    """An installed extension keeps the edge fits' cache (geometry/fit_cache.py) in its own
    user folder, which Blender removes with the extension, never in the add-on's folder."""
    if EXTENSION:
        fit_cache.set_folder(bpy.utils.extension_path_user(EXTENSION, path="fits", create=True))
        _undo.append(partial(fit_cache.set_folder, None))


def register() -> None:
    if _undo:  # registered already (or a failed unregister): start from a clean slate
        _unwind()
    try:
        for cls in CLASSES:
            bpy.utils.register_class(cls)
            _undo.append(partial(bpy.utils.unregister_class, cls))
        live.register()
        _undo.append(live.unregister)
        _add_render_settings()
        _undo.append(_remove_render_settings)
        # `blender -c scurve ...` (render, validate, list, scene); the capsule unregisters it
        handle = cast(Any, bpy.utils).register_cli_command(CLI_ID, cli_main)
        _undo.append(partial(bpy.utils.unregister_cli_command, handle))
        _undo.append(stop_running)  # a render still running when the extension goes stops with it
        for name, fn in MENUS:
            _menu(name).append(fn)
            _undo.append(partial(_remove_menu, name, fn))
        presets.install()
        _use_extension_fit_cache()
    except BaseException:
        _unwind()
        raise


def unregister() -> None:
    _unwind()
