"""The job file the sidebar's Render section writes for the active mirror (TOML), and the
settings it is written from (scene.scurve_render). docs/design.md, "Rendering from Blender".

The [scene] table: a scene keeps no studio parameters of its own, so the job file gets the
Studio Scene operator's last-used settings of this Blender session (the defaults where it
has not run). The object's surface parameters are its stored ones (tagging.stored_params,
what obj.scurve shows) and its material's the material's (live.read_material).
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
import time
from typing import Any

import bpy
from bpy.props import EnumProperty, IntProperty, IntVectorProperty, StringProperty

from . import live, tagging
from .defaults import MaterialParams, SceneParams, SurfaceParams, params_from, specs
from .render_jobs import jobfile

SWEEP_TABLES: tuple[tuple[str, type], ...] = (("surface", SurfaceParams), ("material", MaterialParams),
                                              ("scene", SceneParams))
MAX_VALUES = 16  # values of one swept parameter from the sidebar


def sweep_items() -> list[tuple[str, str, str]]:
    """The numeric parameters a sweep can vary: (table.field, label, tooltip)."""
    items = []
    for table, cls in SWEEP_TABLES:
        for f in dataclasses.fields(cls):
            spec = specs(cls)[f.name]
            if isinstance(f.default, bool) or not isinstance(f.default, (int, float)) or spec.choices:
                continue
            items.append((f"{table}.{f.name}", f"{spec.label} ({table})", spec.description))
    return items


SWEEP_ITEMS = sweep_items()
NONE_ITEM = ("NONE", "None", "Sweep one parameter only")


class SCurveRenderSettings(bpy.types.PropertyGroup):
    """scene.scurve_render: what the sidebar's Render section renders."""

    sweep_a: EnumProperty(  # type: ignore[valid-type]
        name="Sweep", items=SWEEP_ITEMS, default="surface.arc_segments",
        description="The parameter whose values make the variants")
    values_a: StringProperty(  # type: ignore[valid-type]
        name="Values", default="8, 16, 32", description="Values of the swept parameter, separated by commas")
    sweep_b: EnumProperty(  # type: ignore[valid-type]
        name="And", items=[NONE_ITEM, *SWEEP_ITEMS], default="NONE",
        description="A second swept parameter (every combination of the two is rendered)")
    values_b: StringProperty(  # type: ignore[valid-type]
        name="Values", default="", description="Values of the second swept parameter, separated by commas")
    samples: IntProperty(  # type: ignore[valid-type]
        name="Samples", default=16, min=1, max=4096, description="Maximum samples per pixel of each variant")
    resolution: IntVectorProperty(  # type: ignore[valid-type]
        name="Resolution", size=2, default=(480, 270), min=16, max=8192, description="Image size in pixels")
    output_dir: StringProperty(  # type: ignore[valid-type]
        name="Output", subtype="DIR_PATH", default="//renders",
        description="Folder for the images, their sidecars, the contact sheet and the job file "
                    "(// = next to the .blend file; a temporary folder while the file is unsaved)")
    job_name: StringProperty(  # type: ignore[valid-type]
        name="Job", default="", description="Job of Open Job Scene (empty: the first)")


def toml_value(value: Any) -> str:
    """A parameter value as TOML (numbers exactly: repr round-trips a float)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written to a job file")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"{value!r}: not a job-file value")


def parse_values(key: str, text: str) -> list[Any]:
    """The values of a swept key from the sidebar's text ("8, 16, 32"); ValueError names the problem."""
    table, name = key.split(".", 1)
    cls = dict(SWEEP_TABLES)[table]
    kind = type(next(f.default for f in dataclasses.fields(cls) if f.name == name))
    out: list[Any] = []
    for raw in (part for part in re.split(r"[,;\s]+", text.strip()) if part):
        try:
            out.append(int(raw) if kind is int else float(raw))
        except ValueError:
            raise ValueError(f"{name}: {raw!r} is not a {'whole ' if kind is int else ''}number") from None
    if not out:
        raise ValueError(f"{name}: give at least one value")
    if len(out) > MAX_VALUES:
        raise ValueError(f"{name}: at most {MAX_VALUES} values")
    return out


def studio_params(context: bpy.types.Context) -> SceneParams:
    """The Studio Scene operator's last-used settings (this session), else the defaults."""
    try:
        last = context.window_manager.operator_properties_last("scurve.setup_scene")
    except (AttributeError, KeyError, RuntimeError, TypeError):
        last = None
    if last is None:
        return SceneParams()
    return params_from(last, SceneParams)


def safe_name(name: str) -> str:
    """An object name as a job name (jobfile.NAME_RE)."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:40]
    return text or "mirror"


def sweeps(settings: Any) -> list[tuple[str, list[Any]]]:
    """The sidebar's swept keys and their values (ValueError on a bad value)."""
    out = [(settings.sweep_a, parse_values(settings.sweep_a, settings.values_a))]
    if settings.sweep_b != "NONE":
        if settings.sweep_b == settings.sweep_a:
            raise ValueError("sweep two different parameters")
        out.append((settings.sweep_b, parse_values(settings.sweep_b, settings.values_b)))
    return out


def job_file_text(obj: bpy.types.Object, context: bpy.types.Context, settings: Any,
                  with_sweeps: bool = True) -> str:
    """The job file of the sidebar's settings for `obj`; validated (jobfile.JobFileError)."""
    surface = tagging.stored_params(obj)
    material = live.read_material(obj)
    studio = studio_params(context)
    swept = sweeps(settings) if with_sweeps else []
    lines = [f"# S-Curve Mirror: variants of {obj.name!r}, written by the sidebar's Render section",
             f"# (Blender {bpy.app.version_string}, {time.strftime('%Y-%m-%d %H:%M:%S')}).",
             "# [scene]: the Studio Scene settings last used in that Blender session (defaults if none).",
             "", "[output]", "contact_sheet = true"]
    for table, params in (("surface", surface), ("material", material), ("scene", studio)):
        lines += ["", f"[{table}]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in dataclasses.asdict(params).items()]
    lines += ["", "[render]", f"samples = {int(settings.samples)}",
              f"resolution = [{int(settings.resolution[0])}, {int(settings.resolution[1])}]",
              "", "[[job]]", f"name = {toml_value(safe_name(obj.name))}"]
    for table in dict.fromkeys(key.split(".")[0] for key, _ in swept):
        lines += ["", f"[job.{table}]"]
        lines += [f"{key.split('.', 1)[1]} = {toml_value(values)}" for key, values in swept
                  if key.startswith(table + ".")]
    text = "\n".join(lines) + "\n"
    jobfile.loads(text, "<sidebar>", out_dir=tempfile.gettempdir())  # raises JobFileError listing problems
    return text


def output_dir(settings: Any) -> str:
    """The sidebar's output folder, absolute (// next to the .blend; a temporary folder if unsaved)."""
    raw = settings.output_dir.strip() or "//renders"
    if raw.startswith("//") and not bpy.data.filepath:
        return os.path.join(tempfile.gettempdir(), "scurve_renders", raw[2:])
    return os.path.abspath(bpy.path.abspath(raw))
