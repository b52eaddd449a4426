"""Which objects this extension made, and the parameters it made them with.

Objects carry a role ('PATCH' or 'SURFACE') and their SurfaceParams as custom
properties, so later steps can find their own objects (and never touch the user's) and a
quality report can compare the mesh with the surface it was meant to be.
"""
from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import bpy

from .defaults import PARAMS_KEY, ROLE_KEY, SurfaceParams


def params_from(source: Any, cls: type = SurfaceParams, **overrides: Any) -> Any:
    """Build a params dataclass from anything with the same attribute names (an operator,
    a property group, a namespace) or from a mapping."""
    values = {}
    for f in fields(cls):
        if isinstance(source, dict):
            if f.name in source:
                values[f.name] = source[f.name]
        elif hasattr(source, f.name):
            values[f.name] = getattr(source, f.name)
    values.update(overrides)
    for f in fields(cls):  # bpy hands back vectors and enum strings; normalise
        if f.name in values and isinstance(f.default, tuple):
            values[f.name] = tuple(values[f.name])
    return cls(**values)


def tag(obj: bpy.types.Object, role: str, params: SurfaceParams) -> None:
    obj[ROLE_KEY] = role
    obj[PARAMS_KEY] = asdict(params)


def role(obj: bpy.types.Object | None) -> str | None:
    if obj is None or obj.type != "MESH":
        return None
    value = obj.get(ROLE_KEY)
    return str(value) if value is not None else None


def stored_params(obj: bpy.types.Object) -> SurfaceParams:
    raw = obj.get(PARAMS_KEY)
    data = raw.to_dict() if hasattr(raw, "to_dict") else dict(raw or {})
    return params_from(data)
