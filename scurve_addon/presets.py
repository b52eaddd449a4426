"""Bundled operator presets for scurve.build_mirror ('PRESET' in its bl_options).

Blender looks for operator presets in the user's script folders, never inside an
extension, so register() writes the bundled ones there once (an existing file, possibly
edited by the user, is left alone). Nothing is written into the extension's own folder.
"""
from __future__ import annotations

import os
from dataclasses import fields

import bpy

from .defaults import PRESETS, MaterialParams, SurfaceParams

PRESET_SUBDIR = "presets/operator/scurve.build_mirror"


def preset_text(values: dict) -> str:
    merged = {f.name: f.default for cls in (SurfaceParams, MaterialParams) for f in fields(cls)}
    merged.update(values)
    lines = ["import bpy", "op = bpy.context.active_operator", ""]
    lines += [f"op.{name} = {value!r}" for name, value in merged.items()]
    return "\n".join(lines) + "\n"


def preset_dir() -> str:
    return bpy.utils.user_resource("SCRIPTS", path=PRESET_SUBDIR, create=True)


def install() -> list[str]:
    """Write the bundled presets that are not there yet; returns the paths written."""
    try:
        folder = preset_dir()
    except (OSError, RuntimeError):  # read-only config: presets are a convenience
        return []
    written = []
    for name, values in PRESETS.items():
        path = os.path.join(folder, f"{name}.py")
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(preset_text(values))
            written.append(path)
    return written
