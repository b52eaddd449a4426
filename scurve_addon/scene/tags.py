"""Finding, creating and removing the studio's own datablocks.

Everything the studio makes carries the custom property `scurve_role` = "STUDIO_<part>",
so running the setup again finds and updates it instead of adding a copy, and nothing
without such a tag (the user's objects, worlds, materials) is ever changed or removed.
Objects are looked up in the scene being set up, so each scene has its own studio;
worlds and materials are shared datablocks, looked up in bpy.data.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import bpy

from ..defaults import ROLE_KEY

PREFIX = "STUDIO_"
COLLECTION_NAME = "S-Curve Studio"


def role_of(part: str) -> str:
    return PREFIX + part


def has_role(idblock: Any, part: str) -> bool:
    return idblock is not None and idblock.get(ROLE_KEY) == role_of(part)


def is_studio(idblock: Any) -> bool:
    value = idblock.get(ROLE_KEY) if idblock is not None else None
    return isinstance(value, str) and value.startswith(PREFIX)


def _mark(idblock: Any, part: str) -> Any:
    """Give a datablock the studio role of `part` (tagging.tag marks the S-curve objects)."""
    idblock[ROLE_KEY] = role_of(part)
    return idblock


def find_in(collection: Iterable[Any], part: str) -> Any:
    return next((item for item in collection if has_role(item, part)), None)


def find_object(scene: bpy.types.Scene, part: str) -> bpy.types.Object | None:
    return find_in(scene.objects, part)


def ensure_collection(scene: bpy.types.Scene) -> bpy.types.Collection:
    """The studio's collection, a child of the scene's master collection."""
    found = find_in(scene.collection.children_recursive, "COLLECTION")
    if found is None:
        found = _mark(bpy.data.collections.new(COLLECTION_NAME), "COLLECTION")
        scene.collection.children.link(found)
    return found


def ensure_object(scene: bpy.types.Scene, part: str, name: str,
                  make_data: Callable[[], Any], data_type: str | None = None) -> bpy.types.Object:
    """The scene's studio object for `part`, made (with `make_data()`) when missing.

    An existing object keeps its data unless that data is of another kind than
    `data_type` (say a lamp of another type), which is replaced.
    """
    obj = find_object(scene, part)
    if obj is not None and data_type is not None and getattr(obj.data, "type", None) != data_type:
        old = obj.data
        obj.data = make_data()
        _remove_if_orphan(old)
    if obj is None:
        obj = bpy.data.objects.new(name, make_data())
        _mark(obj, part)
        ensure_collection(scene).objects.link(obj)
    if obj.data is not None and not is_studio(obj.data):
        _mark(obj.data, part)
    return obj


def ensure_material(part: str, name: str) -> bpy.types.Material:
    found = find_in(bpy.data.materials, part)
    return found if found is not None else _mark(bpy.data.materials.new(name), part)


def ensure_world(part: str, name: str) -> bpy.types.World:
    found = find_in(bpy.data.worlds, part)
    return found if found is not None else _mark(bpy.data.worlds.new(name), part)


def remove_object(scene: bpy.types.Scene, part: str) -> None:
    """Delete the scene's studio object for `part` (if any) and its data once unused."""
    obj = find_object(scene, part)
    if obj is None:
        return
    data = obj.data
    bpy.data.objects.remove(obj)
    _remove_if_orphan(data)


def _remove_if_orphan(data: Any) -> None:
    if data is None or data.users or not is_studio(data):
        return
    if isinstance(data, bpy.types.Mesh):
        bpy.data.meshes.remove(data)
    elif isinstance(data, bpy.types.Light):
        bpy.data.lights.remove(data)
    elif isinstance(data, bpy.types.Camera):
        bpy.data.cameras.remove(data)


def set_shown(obj: bpy.types.Object, shown: bool) -> None:
    """Show or hide a studio object in renders and the viewport (kept for later runs)."""
    obj.hide_render = not shown
    obj.hide_viewport = not shown
