"""Which objects this extension made, and the parameters it made them with.

Objects carry a role ('PATCH' or 'SURFACE') and their SurfaceParams as custom
properties, so later steps can find their own objects (and never touch the user's) and a
quality report can compare the mesh with the surface it was meant to be.

With them goes a fingerprint of the geometry the parameters were built into (vertex and
face counts and a hash of positions and corner vertices): a mesh edited by hand no longer
matches it, so live parameter edits (scurve_addon.live) refuse to overwrite it.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any, cast

import bpy
import numpy as np

from .defaults import PARAMS_KEY, QUALITY_KEY, ROLE_KEY, ROLE_PATCH, SurfaceParams, params_from
from .geometry import vertex_count

# The fingerprint of the geometry that `scurve_params` describes (see module docstring).
GEOMETRY_KEY = "scurve_geometry"


def _attribute_values(mesh: bpy.types.Mesh, name: str, prop: str, fallback: Any, width: int, dtype: Any) -> np.ndarray:
    """An attribute's values as a flat array (the generic attribute API copies a buffer;
    the element collections' foreach_get converts item by item)."""
    attr: Any = mesh.attributes.get(name)
    count = len(attr.data) if attr is not None else len(fallback)
    out = np.empty(count * width, dtype=dtype)
    if attr is not None:
        attr.data.foreach_get(prop, out)
    else:
        fallback.foreach_get("co" if width == 3 else "vertex_index", out)
    return out


def corner_verts(mesh: bpy.types.Mesh) -> np.ndarray:
    """The vertex of every face corner (loop), int32."""
    return _attribute_values(mesh, ".corner_vert", "value", mesh.loops, 1, np.int32)


def fingerprint(mesh: bpy.types.Mesh) -> str:
    """Counts and a hash of the positions and corner vertices: changes when the mesh is edited."""
    co = _attribute_values(mesh, "position", "vector", mesh.vertices, 3, np.float32)
    corners = corner_verts(mesh)
    digest = hashlib.blake2b(co.tobytes(), digest_size=16)
    digest.update(corners.tobytes())
    return f"{len(mesh.vertices)}/{len(mesh.polygons)}/{digest.hexdigest()}"


def tag(obj: bpy.types.Object, role: str, params: SurfaceParams) -> None:
    """Mark `obj` as made by this extension from `params`; its mesh, as it is now, is what
    the parameters describe (called after every step that writes the geometry)."""
    obj[ROLE_KEY] = role
    obj[PARAMS_KEY] = asdict(params)
    obj[GEOMETRY_KEY] = fingerprint(cast(bpy.types.Mesh, obj.data))


def untag(obj: bpy.types.Object) -> None:
    """Make `obj` a plain mesh again: no role, no parameters, no fingerprint, no report."""
    for key in (ROLE_KEY, PARAMS_KEY, GEOMETRY_KEY, QUALITY_KEY):
        if obj.get(key) is not None:
            del obj[key]


def edited_by_hand(obj: bpy.types.Object) -> bool:
    """True when the mesh is no longer the geometry its stored parameters were built into.

    An object from before fingerprints (none stored) counts as unedited while its vertex
    count is that of its parameters; its next rebuild stores one. Meaningless in Edit
    Mode, where the mesh datablock lags behind the edit.
    """
    stored = obj.get(GEOMETRY_KEY)
    mesh = cast(bpy.types.Mesh, obj.data)
    if not isinstance(stored, str):
        return len(mesh.vertices) != vertex_count(stored_params(obj), half=role(obj) == ROLE_PATCH)
    return stored != fingerprint(mesh)


def role(obj: bpy.types.Object | None) -> str | None:
    if obj is None or obj.type != "MESH":
        return None
    value = obj.get(ROLE_KEY)
    return str(value) if value is not None else None


def stored_params(obj: bpy.types.Object) -> SurfaceParams:
    raw = obj.get(PARAMS_KEY)
    data = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw or {})
    return params_from(data)
