"""Blender properties generated from the parameter tables in defaults.py."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from bpy.props import BoolProperty, EnumProperty, FloatProperty, FloatVectorProperty, IntProperty

from .defaults import Spec


def _limits(spec: Spec) -> dict[str, Any]:
    return {k: getattr(spec, k) for k in ("min", "max", "soft_min", "soft_max") if getattr(spec, k) is not None}


def bpy_property(spec: Spec, default: Any, **callbacks: Any) -> Any:
    """The Blender property for one parameter; `callbacks`: get=, set=, update= as bpy.props takes them."""
    common: dict[str, Any] = {"name": spec.label, "description": spec.description, **callbacks}
    if isinstance(default, bool):
        return BoolProperty(default=default, **common)
    if isinstance(default, int):
        int_limits: dict[str, Any] = {k: int(v) for k, v in _limits(spec).items()}
        return IntProperty(default=default, **common, **int_limits)
    if isinstance(default, float):
        extra: dict[str, Any] = {"unit": spec.unit} if spec.unit else {}
        if spec.subtype:
            extra["subtype"] = spec.subtype
        return FloatProperty(default=default, **common, **_limits(spec), **extra)
    if isinstance(default, str) and spec.choices:
        return EnumProperty(items=list(spec.choices), default=default, **common)
    if isinstance(default, tuple):
        common["subtype"] = spec.subtype or "NONE"
        return FloatVectorProperty(default=default, size=spec.size or len(default), **common, **_limits(spec))
    raise TypeError(f"no Blender property for {spec.label!r} ({type(default).__name__})")


Callbacks = Callable[[str], dict[str, Any]]


def property_annotations(cls: type, only: tuple[str, ...] | None = None, callbacks: Callbacks | None = None,
                         **default_overrides: Any) -> dict[str, Any]:
    """Property annotations for the fields of a defaults dataclass.

    `callbacks(name)` may give a field's get=/set=/update= functions (the live parameters
    of an object, scurve_addon.live): the label, tooltip, limits and unit stay those of
    defaults.py, so an object's property and the operator's are the same property.
    """
    out = {}
    for f in fields(cls):
        if only is not None and f.name not in only:
            continue
        extra = callbacks(f.name) if callbacks is not None else {}
        out[f.name] = bpy_property(f.metadata["spec"], default_overrides.get(f.name, f.default), **extra)
    return out


def mixin(name: str, cls: type, only: tuple[str, ...] | None = None, **default_overrides: Any) -> Any:
    """A mix-in class whose annotations are those properties (Blender reads base classes' too).

    Typed Any: its attributes exist only at run time, so type checkers take them as Any.
    """
    return type(name, (), {"__annotations__": property_annotations(cls, only, **default_overrides)})
