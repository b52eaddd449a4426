"""Review findings kept fixed: what goes into the undo history, and which errors an
operator turns into a message."""
from __future__ import annotations

from typing import Any

import bpy
import pytest

from scurve_addon.operators import setup_scene

scurve_ops: Any = bpy.ops.scurve  # type: ignore[attr-defined]


def test_every_operator_that_changes_data_is_an_undo_step(addon):
    """All of ours change the file; scurve.quality_report too (it stores its report on the
    object). Background Blender pushes no undo step for bpy.ops calls, so the flag is
    checked, as Blender reads it from the registered class."""
    names = [name for name in dir(scurve_ops) if not name.startswith("_")]
    assert "quality_report" in names and len(names) >= 8
    # scurve.edit_mirror only opens a popup of obj.scurve: each property change in it is an
    # undo step of its own (tests/test_live.py). The sidebar's Render section changes no data
    # of the open file: it writes job files and renders in other processes (render_variants,
    # render_cancel, export_job_file), or loads another file (open_job_scene: no undo across it).
    not_edits = {"edit_mirror", "render_variants", "render_cancel", "export_job_file", "open_job_scene"}
    for name in set(names) - not_edits:
        cls = bpy.types.Operator.bl_rna_get_subclass_py("SCURVE_OT_" + name)
        assert "UNDO" in cls.bl_options, name


def test_setup_scene_reports_what_blender_refuses(clean_scene, monkeypatch):
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Blender refused it")

    monkeypatch.setattr(setup_scene, "setup_studio_scene", refused)
    # a reported error reaches a script as RuntimeError("Error: <the message>")
    with pytest.raises(RuntimeError, match=r"^Error: Could not set up the studio scene: Blender refused it"):
        scurve_ops.setup_scene()


@pytest.mark.parametrize("error", [TypeError, AttributeError])
def test_setup_scene_lets_a_programming_error_propagate(clean_scene, monkeypatch, error):
    def bug(*args: Any, **kwargs: Any) -> Any:
        raise error("a bug in our code")

    monkeypatch.setattr(setup_scene, "setup_studio_scene", bug)
    with pytest.raises(RuntimeError) as caught:
        scurve_ops.setup_scene()
    message = str(caught.value)
    assert "Could not set up" not in message  # not turned into a user-facing message
    assert "Traceback" in message and f"{error.__name__}: a bug in our code" in message


@pytest.mark.parametrize("module, tables", [
    ("build_mirror", ("SurfaceParams", "MaterialParams")), ("add_mirror_material", ("MaterialParams",)),
    ("setup_scene", ("SceneParams",)), ("add_smoothing", ()), ("add_patch", ())])
def test_operator_files_list_the_parameters_they_take(module, tables):
    """The properties are generated from defaults.py; each operator file's docstring says
    which, so a reader sees them. Kept true here: every property the operator has is named."""
    import importlib
    from dataclasses import fields

    from scurve_addon import defaults

    mod = importlib.import_module(f"scurve_addon.operators.{module}")
    doc = mod.__doc__ or ""
    cls = next(v for v in vars(mod).values() if isinstance(v, type) and v.__name__.startswith("SCURVE_OT_"))
    names = {f.name for table in tables for f in fields(getattr(defaults, table))}
    for base in cls.__mro__:  # the Blender properties of the generated mix-ins and the class's own
        names |= {n for n, v in vars(base).get("__annotations__", {}).items()
                  if type(v).__name__ == "_PropertyDeferred"}
    missing = sorted(n for n in names if n not in doc)
    assert not missing, f"{module}.py's docstring does not name {missing}"
