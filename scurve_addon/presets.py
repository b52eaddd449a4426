"""Bundled operator presets for scurve.build_mirror ('PRESET' in its bl_options).

Blender looks for operator presets in the user's script folders, never inside an
extension, so register() writes the bundled ones there once (an existing file, possibly
edited by the user, is left alone). Nothing is written into the extension's own folder.

The same files (the bundled ones and the user's own) can be applied to existing mirrors
(scurve.apply_preset): read_preset() parses a preset file as data, it never runs it.
"""
from __future__ import annotations

import ast
import os
from dataclasses import fields
from typing import Any

import bpy

from .defaults import PRESETS, MaterialParams, SurfaceParams

OPERATOR_SUBDIR = "operator/scurve.build_mirror"
PRESET_SUBDIR = "presets/" + OPERATOR_SUBDIR


def preset_text(values: dict) -> str:
    merged = {f.name: f.default for cls in (SurfaceParams, MaterialParams) for f in fields(cls)}
    merged.update(values)
    lines = ["import bpy", "op = bpy.context.active_operator", ""]
    lines += [f"op.{name} = {value!r}" for name, value in merged.items()]
    return "\n".join(lines) + "\n"


def preset_dir() -> str:
    return bpy.utils.user_resource("SCRIPTS", path=PRESET_SUBDIR, create=True)


def install() -> list[str]:
    """Write the bundled presets that are not there yet; returns the paths written.

    Never raises for the file system (a read-only configuration, a file where the folder
    should be): presets are a convenience, and register() must not fail halfway for them.
    """
    try:
        folder = preset_dir()
    except (OSError, RuntimeError):
        return []
    if not folder or not os.path.isdir(folder):
        # Blender answers "" (and prints why) when a file stands where the folder should be;
        # joined with "" the file names would land in the working directory.
        print(f"S-Curve: no preset folder {PRESET_SUBDIR!r} in the user's scripts; presets not installed", flush=True)
        return []
    written = []
    for name, values in PRESETS.items():
        path = os.path.join(folder, f"{name}.py")
        try:
            if not os.path.exists(path):
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(preset_text(values))
                written.append(path)
        except OSError as err:
            print(f"S-Curve: could not write the preset {path}: {err}", flush=True)
    return written


def preset_files() -> dict[str, str]:
    """Preset name -> file, from every preset folder Blender searches (the user's first)."""
    out: dict[str, str] = {}
    for folder in bpy.utils.preset_paths(OPERATOR_SUBDIR):
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".py"):
                out.setdefault(entry[:-3], os.path.join(folder, entry))
    return out


def read_preset(path: str) -> dict[str, Any]:
    """The `op.<name> = <literal>` assignments of a preset file, as data (nothing is executed).

    Raises OSError, SyntaxError or ValueError for a file that cannot be read or parsed;
    statements that are not such assignments (imports, location, non-literals) are skipped.
    """
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), filename=path)
    values: dict[str, Any] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "op":
            try:
                values[target.attr] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return values
