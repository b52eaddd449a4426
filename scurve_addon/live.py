"""Live parameters: `obj.scurve`, the surface and material parameters of an S-curve object.

One source of truth: the group stores nothing of its own. Its surface parameters are a
view (get=/set= callbacks) of the object's `scurve_params` custom property (tagging.py),
and its material parameters a view of the object's mirror material. So an object made
before this existed, or by a script, shows its own parameters without any syncing, and
undo, duplication and appending carry them along with the object.

Setting a parameter (in the sidebar, the "Edit S-Curve Mirror" dialog, or a script:
`obj.scurve.arc_segments = 32`) rebuilds the object's mesh in place with
build.rebuild_surface: the object, its names, transform, parent, collections, modifiers,
material slots and custom properties stay. A value that cannot be built (a folding
S-bend, too many vertices), an object in Edit Mode or a mesh edited by hand is refused:
nothing changes, the property keeps showing the value the mesh was built with (the
getter reads the stored parameters, which only a successful rebuild writes), and the
reason is kept in `obj.scurve.message`, shown in the panel, in a popup when there is a
window and on stdout in background mode.

The material "S-Curve Polished Steel" is shared by name between mirrors. A material edit
on one mirror changes that mirror only, as an artist expects of a per-object panel: if
other meshes use its material, the object first gets its own copy ("S-Curve Polished
Steel (<object>)"); a material only it uses is edited in place.

Undo: an edit made in the UI is one undo step (Blender pushes one for each property
change on an ID). A script's assignment pushes none; a script that wants one calls
bpy.ops.ed.undo_push(message=...) after its edits.
"""
from __future__ import annotations

import dataclasses
from typing import Any, cast

import bpy
import numpy as np
from bpy.app.handlers import persistent
from bpy.props import StringProperty

from . import build, tagging
from .defaults import (
    MATERIAL_NAME,
    ROLE_PATCH,
    ROLE_SURFACE,
    SMOOTHING_FIELDS,
    SMOOTHING_MODIFIER_NAME,
    MaterialParams,
    SurfaceParams,
    specs,
)
from .props import property_annotations

SURFACE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SurfaceParams))
MATERIAL_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(MaterialParams))

# The object's state as the sidebar shows it.
LIVE, NOT_SCURVE, EDIT_MODE, EDITED = "LIVE", "NOT_SCURVE", "EDIT_MODE", "EDITED"

NOT_LIVE_MESSAGE = "'{name}' is not a live S-Curve object (frozen, or not made by this extension)"
EDIT_MODE_MESSAGE = "'{name}' is in Edit Mode: its parameters apply in Object Mode (editing the mesh by hand " \
    "makes it a plain mesh)"
EDITED_MESSAGE = "'{name}' was edited by hand, so its parameters no longer describe it: Rebuild from " \
    "Parameters (discards the edits) or Freeze it (keeps them)"
NO_SMOOTHING_MESSAGE = "'{name}' has no smoothing modifier: step 4 (Add Smoothing) adds it"
NO_MATERIAL_MESSAGE = "'{name}' has no S-Curve mirror material: step 5 (Add Mirror Material) adds it"


class LiveEditError(ValueError):
    """A live edit that was refused; the message is for the user."""


# --- what applies to an object -------------------------------------------------------


def is_mirror_material(mat: bpy.types.Material | None) -> bool:
    return mat is not None and mat.name.startswith(MATERIAL_NAME)


def mirror_material(obj: bpy.types.Object) -> bpy.types.Material | None:
    """The object's S-Curve mirror material (its first slot), or None."""
    mats = obj.data.materials if obj.type == "MESH" else []
    mat = mats[0] if len(mats) else None
    return mat if is_mirror_material(mat) else None


def has_smoothing(obj: bpy.types.Object) -> bool:
    return isinstance(obj.modifiers.get(SMOOTHING_MODIFIER_NAME), bpy.types.SubsurfModifier)


def not_applicable(obj: bpy.types.Object) -> dict[str, str]:
    """Parameter name -> why it does not apply to this object (now)."""
    out = {}
    if not has_smoothing(obj):
        out.update(dict.fromkeys(SMOOTHING_FIELDS, NO_SMOOTHING_MESSAGE.format(name=obj.name)))
    if mirror_material(obj) is None:
        out.update(dict.fromkeys(MATERIAL_FIELDS, NO_MATERIAL_MESSAGE.format(name=obj.name)))
    return out


# Draws call state() on every redraw: remember the answer until some geometry changes.
_edited_cache: dict[tuple[int, str], bool] = {}


def state(obj: bpy.types.Object | None, cached: bool = False) -> str:
    """LIVE, NOT_SCURVE, EDIT_MODE (edits wait for Object Mode) or EDITED (by hand)."""
    if obj is None or tagging.role(obj) not in (ROLE_PATCH, ROLE_SURFACE):
        return NOT_SCURVE
    if obj.mode == "EDIT":
        return EDIT_MODE
    key = (obj.data.as_pointer(), str(obj.get(tagging.GEOMETRY_KEY)))
    edited = _edited_cache.get(key) if cached else None
    if edited is None:
        edited = _edited_cache[key] = tagging.edited_by_hand(obj)
    return EDITED if edited else LIVE


def check_editable(obj: bpy.types.Object) -> None:
    """Raise LiveEditError unless the object's parameters may rebuild it now."""
    message = {NOT_SCURVE: NOT_LIVE_MESSAGE, EDIT_MODE: EDIT_MODE_MESSAGE, EDITED: EDITED_MESSAGE}.get(state(obj))
    if message:
        raise LiveEditError(message.format(name=obj.name))


# --- the edit itself -----------------------------------------------------------------


def read_material(obj: bpy.types.Object) -> MaterialParams:
    """The object's mirror material settings (the defaults where it has none)."""
    mat = mirror_material(obj)
    bsdf = _bsdf(mat) if mat is not None else None
    if bsdf is None:
        return MaterialParams()
    return MaterialParams(roughness=float(bsdf.inputs["Roughness"].default_value),
                          base_color=tuple(bsdf.inputs["Base Color"].default_value)[:3])


def _bsdf(mat: bpy.types.Material) -> Any:
    tree = mat.node_tree
    return next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None) if tree else None


def _own_material(obj: bpy.types.Object, mat: bpy.types.Material) -> bpy.types.Material:
    """`mat`, or the object's own copy of it when other meshes use it too."""
    others = [m for m in bpy.data.meshes if m != obj.data and mat.name in m.materials]
    if not others:
        return mat
    copy = mat.copy()
    copy.name = f"{MATERIAL_NAME} ({obj.name})"
    obj.data.materials[0] = copy
    return copy


def write_material(obj: bpy.types.Object, params: MaterialParams) -> None:
    """Give the object's mirror material these settings (see the module docstring on sharing).
    The same settings as material.ensure_mirror_material writes into the shared one."""
    mat = mirror_material(obj)
    if mat is None:
        raise LiveEditError(NO_MATERIAL_MESSAGE.format(name=obj.name))
    mat = _own_material(obj, mat)
    bsdf = _bsdf(mat)
    if bsdf is None:
        raise LiveEditError(f"'{mat.name}' has no Principled BSDF node to set")
    bsdf.inputs["Base Color"].default_value = (*params.base_color, 1.0)
    bsdf.inputs["Roughness"].default_value = params.roughness
    mat.diffuse_color = (*params.base_color, 1.0)
    mat.roughness = params.roughness


def _as_property_value(value: Any, like: Any) -> Any:
    """`value` as a Blender property of the type of `like` holds it: floats in single
    precision, as the operators' properties hand them over, so a preset applied here
    builds exactly what the operator builds from it."""
    if isinstance(like, tuple):
        return tuple(float(np.float32(v)) for v in value)
    if isinstance(like, float) and isinstance(value, (int, float)):
        return float(np.float32(value))
    return value


def apply_values(obj: bpy.types.Object, values: dict[str, Any], strict: bool = True,
                 context: bpy.types.Context | None = None) -> str:
    """Set parameters of a live S-curve object: rebuild its mesh, set its material, let the
    studio follow. `values`: any of SURFACE_FIELDS and MATERIAL_FIELDS (others ignored).

    `strict` refuses values that do not apply to the object (smoothing levels without the
    modifier, material without the mirror material); otherwise they are skipped (a preset).
    Raises LiveEditError (nothing changed) for an object that cannot be edited now or
    values that cannot be built. Returns build.rebuild_surface's answer, or "material".
    """
    check_editable(obj)
    skip = not_applicable(obj)
    stored = tagging.stored_params(obj)
    current_material = read_material(obj)
    surface: dict[str, Any] = {}
    material: dict[str, Any] = {}
    for name, value in values.items():
        target = surface if name in SURFACE_FIELDS else material if name in MATERIAL_FIELDS else None
        if target is None:
            continue
        old = getattr(stored, name) if name in SURFACE_FIELDS else getattr(current_material, name)
        value = _as_property_value(value, old)
        if name in skip:
            if strict and value != old:
                raise LiveEditError(skip[name])
            continue
        target[name] = value
    try:
        params = dataclasses.replace(stored, **surface)
        new_material = dataclasses.replace(current_material, **material)
    except TypeError as err:
        raise LiveEditError(str(err)) from err
    try:
        changed = build.rebuild_surface(obj, params)
    except ValueError as err:  # raised before anything was touched
        raise LiveEditError(str(err)) from err
    if new_material != current_material:
        write_material(obj, new_material)
        changed = changed or "material"
    if changed in ("topology", "positions", "smoothing"):
        from .scene import follow_surface  # the studio package is heavy and needs only this

        follow_surface(context or bpy.context, obj)
    return changed


def rebuild_from_parameters(obj: bpy.types.Object) -> str:
    """Rebuild the mesh from its stored parameters, discarding edits made by hand."""
    if tagging.role(obj) not in (ROLE_PATCH, ROLE_SURFACE):
        raise LiveEditError(NOT_LIVE_MESSAGE.format(name=obj.name))
    if obj.mode == "EDIT":
        raise LiveEditError(EDIT_MODE_MESSAGE.format(name=obj.name))
    return build.rebuild_surface(obj, tagging.stored_params(obj), force=True)


def freeze(obj: bpy.types.Object) -> None:
    """Make a live S-curve object a plain mesh: geometry, modifiers and material kept."""
    tagging.untag(obj)
    cast(Any, obj).scurve.property_unset("message")


# --- the property group --------------------------------------------------------------


def tell(group: Any, text: str) -> None:
    """Keep `text` as the object's message and show it: a popup in the UI, stdout in background."""
    if group.message == text:
        return  # said already (a slider dragged on into refused values): no popup per step
    group.message = text
    if not text:
        return
    if bpy.app.background or getattr(bpy.context, "window", None) is None:
        print(f"S-Curve: {text}", flush=True)
        return

    def draw(menu: Any, _context: Any) -> None:
        menu.layout.label(text=text)

    bpy.context.window_manager.popup_menu(draw, title="S-Curve Mirror", icon="ERROR")


def _callbacks(name: str) -> dict[str, Any]:
    spec = {**specs(SurfaceParams), **specs(MaterialParams)}[name]
    choices = [c[0] for c in spec.choices] if spec.choices else None

    def get(group: Any) -> Any:
        obj = group.id_data
        source = read_material(obj) if name in MATERIAL_FIELDS else tagging.stored_params(obj)
        value = getattr(source, name)
        return choices.index(value) if choices else value

    def set_(group: Any, value: Any) -> None:
        if choices:
            value = choices[value]
        try:
            apply_values(group.id_data, {name: value})
        except LiveEditError as err:
            tell(group, str(err))
        else:
            tell(group, "")

    # Not animatable: a keyframe or driver would rebuild the mesh during depsgraph evaluation.
    return {"get": get, "set": set_, "options": set()}


class SCurveObjectProps(bpy.types.PropertyGroup):
    """The live parameters of an S-curve object (bpy.types.Object.scurve)."""

    __annotations__ = {
        **property_annotations(SurfaceParams, callbacks=_callbacks),
        **property_annotations(MaterialParams, callbacks=_callbacks),
        "message": StringProperty(  # type: ignore[func-returns-value]
            name="Message", description="Why the last parameter edit was refused"),
    }


# --- handlers ------------------------------------------------------------------------


@persistent
def _on_depsgraph_update(_scene: Any, depsgraph: bpy.types.Depsgraph) -> None:
    if any(u.is_updated_geometry for u in depsgraph.updates):
        _edited_cache.clear()


@persistent
def _on_load_or_undo(*_args: Any) -> None:
    """Loading a file, undo and redo replace the data (and its memory addresses) wholesale."""
    _edited_cache.clear()


HANDLERS = (
    (bpy.app.handlers.depsgraph_update_post, _on_depsgraph_update),
    (bpy.app.handlers.load_post, _on_load_or_undo),
    (bpy.app.handlers.undo_post, _on_load_or_undo),
    (bpy.app.handlers.redo_post, _on_load_or_undo),
)


def register() -> None:
    object_type: Any = bpy.types.Object
    object_type.scurve = bpy.props.PointerProperty(  # type: ignore[func-returns-value]
        type=SCurveObjectProps, name="S-Curve Parameters",
        description="The live parameters of an S-Curve mirror or patch")
    for handlers, fn in HANDLERS:
        if fn not in handlers:
            handlers.append(fn)


def unregister() -> None:
    for handlers, fn in HANDLERS:
        if fn in handlers:
            handlers.remove(fn)
    if hasattr(bpy.types.Object, "scurve"):
        del cast(Any, bpy.types.Object).scurve
    _edited_cache.clear()
