"""Differences between the Blender versions we support (4.2 LTS to 5.0), in one place.

Every call into an API that changed between those versions goes through here, so a
new Blender release means one file to read.
"""
from __future__ import annotations

from typing import Any

import bpy

VERSION: tuple[int, int, int] = tuple(bpy.app.version)  # type: ignore[assignment]


def ensure_node_tree(idblock: Any) -> Any:
    """The node tree of a material or world, created where needed.

    4.x: a new material or world has no node tree until `use_nodes` is switched on.
    5.0: every one has its tree, and `use_nodes` is deprecated (always on, removed in 6.0;
    touching it warns, which fails the tests), so it is left alone.
    """
    if VERSION < (5, 0, 0) and not idblock.use_nodes:
        idblock.use_nodes = True
    if idblock.node_tree is None:
        raise RuntimeError(f"{idblock.name!r} has no node tree (Blender {bpy.app.version_string})")
    return idblock.node_tree


# The bpy module of 4.2 (not the Blender program) crashes with SIGSEGV while Python shuts
# down once a property with Python get/set functions has been registered (live.py's
# obj.scurve), after all the work is done: processes that register the extension end with
# os._exit on it (tests/conftest.py, tests/scripts/install_extension.py). 4.5 and 5.0 do not.
CRASHES_AT_EXIT_AFTER_PROPERTY_CALLBACKS = VERSION < (4, 3, 0)


# Cycles' persistent data in 4.5 keeps the sampling pattern made for the previous render's
# sample count: a render with another count then gives other noise than the same render
# alone (same seed). 4.2 and 5.0 rebuild it. render_jobs/session.py renders such a job with
# Cycles' data rebuilt.
PERSISTENT_DATA_KEEPS_SAMPLE_PATTERN = (4, 5, 0) <= VERSION < (5, 0, 0)


# Adaptive subdivision: 5.0 has it on the Subdivision Surface modifier, in object space
# (Cycles dices the limit surface when it renders). 4.2 and 4.5 have it only under Cycles'
# experimental feature set, which the product does not switch on (it changes more than
# this), so there the modifier's render levels apply.
HAS_ADAPTIVE_SUBDIVISION = VERSION >= (5, 0, 0)


def set_adaptive_subdivision(modifier: Any, edge_length: float | None) -> None:
    """Adaptive subdivision in object space with edges of `edge_length` (None: off).
    Does nothing where this Blender has none (HAS_ADAPTIVE_SUBDIVISION)."""
    if not HAS_ADAPTIVE_SUBDIVISION:
        return
    modifier.use_adaptive_subdivision = edge_length is not None
    if edge_length is not None:
        modifier.adaptive_space = "OBJECT"
        lowest = modifier.bl_rna.properties["adaptive_object_edge_length"].hard_min
        modifier.adaptive_object_edge_length = max(edge_length, lowest)


def uses_adaptive_subdivision(modifier: Any) -> bool:
    """Cycles dices this Subdivision Surface modifier's object when it renders (the modifier's
    render levels do not apply). False where this Blender has no such switch on the modifier."""
    return HAS_ADAPTIVE_SUBDIVISION and bool(modifier.use_adaptive_subdivision)


# Blender's physical sky model: 4.2 and 4.5 call it NISHITA; 5.0 renamed it and added a
# cheaper variant (MULTIPLE_SCATTERING, SINGLE_SCATTERING). First one present wins.
PHYSICAL_SKY_TYPES: tuple[str, ...] = ("MULTIPLE_SCATTERING", "NISHITA", "SINGLE_SCATTERING")


def physical_sky_type(sky_node: Any) -> str:
    """The identifier of the physical sky model on this Blender, for a ShaderNodeTexSky."""
    available = sky_node.bl_rna.properties["sky_type"].enum_items.keys()
    for name in PHYSICAL_SKY_TYPES:
        if name in available:
            return name
    raise RuntimeError(f"no physical sky model in this Blender's sky texture (has {', '.join(available)})")


def use_physical_sky(sky_node: Any) -> str:
    """Switch a sky texture node to the physical model; returns the model's identifier."""
    sky_type = physical_sky_type(sky_node)
    sky_node.sky_type = sky_type
    return sky_type


def _aerosol_attribute(sky_node: Any) -> str:
    """Dust, pollution and water droplets: `dust_density` up to 4.5, `aerosol_density` in 5.0."""
    return "aerosol_density" if hasattr(sky_node, "aerosol_density") else "dust_density"


def set_sky_aerosol_density(sky_node: Any, value: float) -> None:
    setattr(sky_node, _aerosol_attribute(sky_node), value)


def sky_aerosol_density(sky_node: Any) -> float:
    return float(getattr(sky_node, _aerosol_attribute(sky_node)))


# Cycles devices (render_jobs). The add-on preferences' API is the same from 4.2 to 5.0:
# refresh_devices() then get_devices_for_type(T); get_devices() returns None on 5.0, so it
# is used only where refresh_devices() is missing.


def cycles_preferences() -> Any:
    return bpy.context.preferences.addons["cycles"].preferences


def refresh_cycles_devices(prefs: Any) -> None:
    """Query every backend for its devices (Blender leaves this to the first caller)."""
    if hasattr(prefs, "refresh_devices"):
        prefs.refresh_devices()
    else:
        prefs.get_devices()


def cycles_devices(prefs: Any, device_type: str) -> list[Any]:
    """The device entries of one backend (device.type == device_type), CPU entries left out.
    A backend this Blender was built without has none."""
    try:
        entries = prefs.get_devices_for_type(device_type)
    except (TypeError, ValueError, KeyError, RuntimeError, AttributeError):
        return []
    return [d for d in entries if d.type == device_type]


def set_compute_device_type(prefs: Any, device_type: str) -> bool:
    """Select a backend in the preferences; False where this Blender does not offer it."""
    try:
        prefs.compute_device_type = device_type
    except TypeError:  # not among the enum's items on this build or platform
        return False
    return prefs.compute_device_type == device_type


# Text drawn on the CPU into an image (render_jobs' contact-sheet labels): blf.bind_imbuf
# and blf.draw_buffer with the imbuf module, 4.5+. 4.2 has neither (its imbuf cannot draw
# text), so the labels fall back to the 5x7 bitmap font there. blf.draw() (the GPU path)
# crashes in background mode on every version: never use it for files.
def blf_draws_into_images() -> bool:
    import blf

    return hasattr(blf, "bind_imbuf") and hasattr(blf, "draw_buffer")


# Multilayer EXR output (every render pass in one file): 5.0 made "multilayer" a media type
# (image_settings.media_type = 'MULTI_LAYER_IMAGE'; without it file_format
# 'OPEN_EXR_MULTILAYER' is not an accepted value) and writes one part per pass (a
# multi-part EXR); 4.2 and 4.5 take the file format directly and write a single part.
def use_multilayer_exr(image_settings: Any) -> None:
    if hasattr(image_settings, "media_type"):
        image_settings.media_type = "MULTI_LAYER_IMAGE"
    image_settings.file_format = "OPEN_EXR_MULTILAYER"

