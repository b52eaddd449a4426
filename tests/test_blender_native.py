"""From Blender to the batch and back (issue #14): the extension carries its render pipeline.

- the zip ships the pipeline and passes Blender's validator;
- the INSTALLED extension (package_install_files into a temporary user folder, in a process
  of its own: tests/scripts/native_installed.py): its `blender -c scurve` handler renders a
  job file (image, sidecar, exit 0), refuses a bad one (exit 2) and saves a job's scene; a
  session process started from it (bpy module: the bootstrap) renders; Render Variants runs
  from it; without distributed, `--workers 1` exits 2 saying what to install;
- the sidebar's operators (in-tree add-on, this process): Export Job File round-trips through
  Open Job Scene / `scene --save`, Render Variants runs to the end with progress, Cancel stops
  it (no partial file, no orphan process), the saved scene reopens with the mirror, the studio
  and the job's render settings;
- contact-sheet labels drawn with blf (4.5+) differ from the bitmap fallback (4.2).
Tiny renders only (32x18, 1 sample, no denoising).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import zipfile
from typing import Any, cast

import bpy
import numpy as np
import pytest

from scurve_addon import compat, tagging
from scurve_addon.render_jobs import contact_sheet, font, jobfile, paths
from tools import extension

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = [pytest.mark.render, pytest.mark.slow]


# --- the installed extension -------------------------------------------------------------


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory) -> str:
    return extension.build(str(tmp_path_factory.mktemp("dist")))


@pytest.fixture(scope="module")
def installed(built_zip, tmp_path_factory) -> dict:
    """What tests/scripts/native_installed.py saw, in a process of its own."""
    base = tmp_path_factory.mktemp("installed")
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(base / "user"))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "scripts", "native_installed.py"),
                           built_zip, str(base)], env=env, capture_output=True, text=True, timeout=600)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert proc.returncode == 0 and line, proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads(line[len("RESULT "):])
    result["base"] = str(base)
    return result


def test_zip_carries_the_pipeline_and_passes_the_validator(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    for name in ("cli.py", "runner.py", "local.py", "session_server.py", "session_process.py", "font.py"):
        assert f"scurve_addon/render_jobs/{name}" in names
    assert "scurve_addon/command.py" in names and "scurve_addon/operators/render_jobs.py" in names
    assert not [n for n in names if n.startswith("render_jobs/")]  # the checkout shim stays out
    proc = extension.validate()
    assert proc.returncode == 0 and "Success" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_installed_handler_renders_a_job_file(installed):
    assert installed["enabled"]
    assert installed["installed_file"].startswith(os.path.join(installed["base"], "user", "extensions"))
    assert installed["cli_module"] == "bl_ext.user_default.scurve_mirror.scurve_addon.render_jobs.cli"
    render = installed["render"]
    assert render["code"] == 0, render
    assert render["files"] == ["tiny.json", "tiny.png"]
    with open(os.path.join(installed["base"], "out", "tiny.json"), encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["params"]["surface"]["arc_segments"] == 8
    assert installed["validate"] == {"code": 0, "out": f"{os.path.join(installed['base'], 'jobs.toml')}: ok, 1 job\n"}
    assert installed["help"] == {"code": 0, "prog": True}


def test_installed_handler_refuses_a_bad_file(installed):
    assert installed["bad"]["code"] == 2
    assert "surface.arc_segments" in installed["bad"]["err"]


def test_installed_handler_saves_a_job_scene(installed):
    assert installed["scene"] == {"code": 0, "saved": True, "err": ""}


def test_session_process_starts_from_the_installed_extension(installed):
    # the bpy module has no Blender binary: the bootstrap enables the installed add-on
    assert installed["session_command"] == [sys.executable, "-c", "bl_ext.user_default.scurve_mirror", "_session"]
    assert installed["session"]["devices"] == "devices"
    assert installed["session"]["render"] == "done", installed["session"]
    assert installed["session"]["files"] == ["tiny.json", "tiny.png"]


def test_render_variants_from_the_installed_extension(installed):
    variants = installed["variants"]
    assert variants["status"] == ["FINISHED"] and variants["code"] == 0
    assert variants["command"] == [sys.executable, "-c"]  # the installed package's bootstrap
    assert variants["history"] == [0.0, 0.5, 1.0]
    assert "S-Curve_Mirror.contact.png" in variants["files"]
    assert "S-Curve_Mirror__arc_segments-8.png" in variants["files"]


def test_workers_without_dask_say_what_to_install(installed):
    no_dask = installed["no_dask"]
    assert no_dask["code"] == 2
    assert f'{sys.executable} -m pip install "dask[distributed]==' in no_dask["err"]
    assert "--workers" in no_dask["err"]


def test_unregister_removes_the_command(installed):
    assert installed["undo_after_disable"] == 0


def test_cli_command_is_registered_with_the_addon(addon):
    from scurve_addon import registration
    from scurve_addon.command import cli_main

    assert any(getattr(step, "func", None) is bpy.utils.unregister_cli_command for step in registration._undo)
    assert cli_main(["validate", os.path.join(ROOT, "nonexistent.toml")]) == 2
    assert cli_main(["frobnicate"]) == 2  # argparse's exit becomes the return value


# --- the sidebar's operators (in-tree add-on) ----------------------------------------------


def _mirror(**params):
    bpy.ops.wm.read_homefile(use_empty=True)
    assert bpy.ops.scurve.build_mirror(**params) == {"FINISHED"}  # type: ignore[attr-defined]
    return bpy.context.active_object


def _tiny(settings, out_dir: str, values: str = "4, 8") -> None:
    settings.sweep_a, settings.values_a, settings.sweep_b = "surface.arc_segments", values, "NONE"
    settings.samples, settings.resolution, settings.output_dir = 1, (32, 18), out_dir


@pytest.fixture(scope="module")
def exported(addon, tmp_path_factory):
    """A mirror with its own parameters, exported, and its first job's scene saved by Open Job Scene."""
    base = tmp_path_factory.mktemp("exported")
    obj = _mirror(arc_segments=10, rows=4, s_bend=0.25, radius=1.3)
    settings = cast(Any, bpy.context.scene).scurve_render
    _tiny(settings, str(base / "renders"), values="10, 6")  # the first job: the object's own value
    settings.sweep_b, settings.values_b = "scene.sun_elevation", "30, 45"
    stored = tagging.stored_params(obj)
    from scurve_addon import live

    material = live.read_material(obj)
    job_file = str(base / "variants.toml")
    assert bpy.ops.scurve.export_job_file(filepath=job_file) == {"FINISHED"}  # type: ignore[attr-defined]
    blend = str(base / "first.blend")
    result = bpy.ops.scurve.open_job_scene(filepath=job_file, save_path=blend)  # type: ignore[attr-defined]
    bpy.ops.wm.read_homefile(use_empty=True)
    return {"job_file": job_file, "blend": blend, "result": result, "stored": stored, "material": material}


def test_export_job_file_round_trips(exported):
    with open(exported["job_file"], "rb") as fh:
        raw = tomllib.load(fh)
    assert raw["job"][0]["surface"]["arc_segments"] == [10, 6]
    assert raw["job"][0]["scene"]["sun_elevation"] == [30.0, 45.0]
    batch = jobfile.load(exported["job_file"])
    assert len(batch.jobs) == 4
    first = batch.jobs[0]
    assert first.surface == exported["stored"]  # exactly the object's parameters
    assert first.material == exported["material"]
    assert first.scene.sun_elevation == 30.0
    assert first.render.samples == 1 and first.render.resolution == (32, 18)

    # rendering the file's first job builds an object with these parameters: its saved scene
    assert exported["result"] == {"FINISHED"} and os.path.isfile(exported["blend"])
    bpy.ops.wm.open_mainfile(filepath=exported["blend"])
    try:
        surfaces = [o for o in bpy.data.objects if tagging.role(o) == "SURFACE"]
        assert len(surfaces) == 1
        assert tagging.stored_params(surfaces[0]) == exported["stored"]
        from scurve_addon import live

        reopened = live.read_material(surfaces[0])
        assert reopened.roughness == pytest.approx(exported["material"].roughness, abs=1e-7)
        assert reopened.base_color == pytest.approx(exported["material"].base_color, abs=1e-7)
    finally:
        bpy.ops.wm.read_homefile(use_empty=True)


def test_saved_job_scene_reopens_with_mirror_studio_and_render_settings(exported):
    bpy.ops.wm.open_mainfile(filepath=exported["blend"])
    try:
        scene = bpy.context.scene
        types = {o.type for o in scene.objects}
        assert {"MESH", "CAMERA", "LIGHT"} <= types
        assert scene.camera is not None and scene.world is not None
        assert scene.render.engine == "CYCLES"
        assert (scene.render.resolution_x, scene.render.resolution_y) == (32, 18)
        assert scene.cycles.samples == 1
        assert scene.render.use_persistent_data
        assert scene.cycles.device in ("CPU", "GPU")  # the job's device (auto), saved with the scene
        mirror = next(o for o in scene.objects if tagging.role(o) == "SURFACE")
        assert mirror.active_material is not None and mirror.active_material.name.startswith("S-Curve")
    finally:
        bpy.ops.wm.read_homefile(use_empty=True)


def test_scene_command_from_a_checkout(tmp_path, exported):
    blend = str(tmp_path / "second.blend")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    batch = jobfile.load(exported["job_file"])
    name = batch.jobs[1].name
    proc = subprocess.run([sys.executable, "-m", "render_jobs", "scene", exported["job_file"], "--job", name,
                           "--save", blend], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"job {name!r}: scene saved to {blend}" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "render_jobs", "scene", exported["job_file"], "--job", "nope",
                          "--save", blend], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "no job named 'nope'" in bad.stderr


def test_render_variants_runs_to_the_end_and_reports_progress(addon, tmp_path):
    from scurve_addon.operators import render_jobs as ops

    obj = _mirror(arc_segments=8, rows=3)
    settings = cast(Any, bpy.context.scene).scurve_render
    _tiny(settings, str(tmp_path / "renders"))
    # the modal operator's steps, driven here as its timer would
    run = ops.start_variants(bpy.context, obj)
    assert run.command[:3] == [sys.executable, "-m", "render_jobs"]  # a checkout
    seen = []
    deadline = time.monotonic() + 300
    while run.step() is None:
        seen.append((run.done, run.total, run.text))
        assert time.monotonic() < deadline, run.tail()
        time.sleep(0.1)
    assert run.returncode == 0, run.tail(30)
    assert run.history == [0.0, 0.5, 1.0] and run.progress == 1.0
    assert (run.done, run.total) == (2, 2)
    assert any("rendering 32x18" in text for _, _, text in seen + [(0, 0, line) for line in run.lines])
    from scurve_addon.job_run import contact_sheet_path

    sheet = contact_sheet_path(run.job_file, run.out_dir)
    assert sheet and os.path.isfile(sheet)
    # and the operator itself, run from a script (no window): to the end, then it reports
    assert bpy.ops.scurve.render_variants() == {"FINISHED"}  # type: ignore[attr-defined]
    assert ops.LAST is not None and ops.LAST.returncode == 0 and ops.CURRENT is None
    assert "up to date" in ops.LAST.tail(20)  # the same variants again: nothing rendered twice


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cancel_stops_the_render_without_leftovers(addon, tmp_path):
    from scurve_addon.operators import render_jobs as ops

    obj = _mirror(arc_segments=8, rows=3)
    settings = cast(Any, bpy.context.scene).scurve_render
    _tiny(settings, str(tmp_path / "renders"), values="4, 6, 8, 10, 12, 14, 16, 18")
    run = ops.start_variants(bpy.context, obj)
    deadline = time.monotonic() + 300
    while not any("rendering 32x18" in line for line in run.lines):
        assert run.step() is None, run.tail(30)
        assert time.monotonic() < deadline
        time.sleep(0.05)
    family = {run.proc.pid} | _descendants(run.proc.pid)
    code = run.cancel()
    assert code != 0 and run.cancelled and run.proc.poll() is not None
    time.sleep(0.5)
    assert not [pid for pid in family if _running(pid)]  # no orphan render process
    names = os.listdir(run.out_dir)
    assert not [n for n in names if paths.parse_partial(n)]  # no partial file
    assert len([n for n in names if n.endswith(".png") and "contact" not in n]) < 8  # stopped mid-way
    assert not any(n.endswith(".contact.png") for n in names)


# --- contact-sheet labels ----------------------------------------------------------------------

CELLS = [(np.full((18, 32, 3), 90, np.uint8), ["arc_segments=8", "roughness=0.05"]),
         (None, ["arc_segments=16", "roughness=0.1"])]


@pytest.mark.skipif(not compat.blf_draws_into_images(), reason="blf.bind_imbuf needs Blender 4.5+")
def test_blf_labels_differ_from_the_bitmap_font():
    chosen = font.label_font()
    assert isinstance(chosen, font.BlenderFont)
    blf_sheet = contact_sheet.compose(CELLS, 2, title="variants", label_font=chosen)
    bitmap_sheet = contact_sheet.compose(CELLS, 2, title="variants")
    assert blf_sheet.shape != bitmap_sheet.shape or not np.array_equal(blf_sheet, bitmap_sheet)
    # proportional: a narrow letter is narrower than a wide one (the bitmap font: all the same)
    assert chosen.text_size("iiii")[0] < chosen.text_size("WWWW")[0]
    assert font.BITMAP.text_size("iiii") == font.BITMAP.text_size("WWWW")
    # lower case is its own (the bitmap font draws it in upper case)
    lower, upper = chosen.coverage("abc", 30), chosen.coverage("ABC", 30)
    assert lower.shape != upper.shape or not np.array_equal(lower, upper)
    # anti-aliased: partial coverage along the edges, full ink inside
    ink = chosen.coverage("roughness=0.05", 30)
    assert ink.max() == 255 and ((ink > 0) & (ink < 255)).sum() > 20
    # the sheet's label area holds more than the two colours of a bitmap font
    assert len(np.unique(blf_sheet.reshape(-1, 3), axis=0)) > 10


@pytest.mark.skipif(compat.blf_draws_into_images(), reason="the fallback is for Blender 4.2")
def test_bitmap_font_is_the_fallback_on_4_2():
    assert font.label_font() is font.BITMAP
    sheet = contact_sheet.compose(CELLS, 2, title="variants", label_font=font.label_font())
    assert np.array_equal(sheet, contact_sheet.compose(CELLS, 2, title="variants"))


def test_how_processes_start(monkeypatch):
    """session_process.command() / cli_command(): checkout, Blender binary, bpy module + installed."""
    from scurve_addon.render_jobs import session_process as sp

    assert sp.EXTENSION_PACKAGE == ""  # this test session runs the checkout
    assert sp.command() == [sys.executable, "-m", "scurve_addon.render_jobs.session_server"]
    assert sp.cli_command(["list", "x.toml"]) == [sys.executable, "-m", "render_jobs", "list", "x.toml"]
    assert ROOT in sp.environment({}).get("PYTHONPATH", "").split(os.pathsep)
    monkeypatch.setattr(sp, "EXTENSION_PACKAGE", "bl_ext.user_default.scurve_mirror")
    assert "PYTHONPATH" not in sp.environment({})
    bootstrap = sp.command()
    assert bootstrap[:2] == [sys.executable, "-c"] and bootstrap[3:] == ["bl_ext.user_default.scurve_mirror",
                                                                        "_session"]
    assert "addon_utils.enable(package, default_set=True)" in bootstrap[2]
    monkeypatch.setattr(sp, "blender_binary", lambda: "/opt/blender/blender")
    assert sp.command() == ["/opt/blender/blender", "-b", "-c", "scurve", "_session"]
    assert sp.cli_command(["render", "jobs.toml", "--out", "renders"]) == [
        "/opt/blender/blender", "-b", "-c", "scurve", "render", "jobs.toml", "--out", "renders"]


class _Layout:
    """Records what a panel draws (a panel's layout exists only in a window)."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def _child(self, *args: Any, **kwargs: Any) -> _Layout:
        return _Layout(self.calls)

    box = column = row = _child

    def prop(self, data: Any, name: str, **kwargs: Any) -> None:
        assert name in data.bl_rna.properties, name
        self.calls.append(("prop", name))

    def operator(self, idname: str, **kwargs: Any) -> Any:
        module, name = idname.split(".")
        assert hasattr(getattr(bpy.ops, module), name), idname
        self.calls.append(("operator", idname))
        return type("Props", (), {})()

    def label(self, **kwargs: Any) -> None:
        self.calls.append(("label", kwargs.get("text")))


def test_render_section_draws(addon):
    from scurve_addon.operators import render_jobs as ops

    _mirror(arc_segments=8, rows=3)
    calls: list = []
    ops.draw_render_section(cast(Any, _Layout(calls)), bpy.context)
    operators = [name for kind, name in calls if kind == "operator"]
    assert operators == ["scurve.render_variants", "scurve.export_job_file", "scurve.open_job_scene"]
    assert ("prop", "sweep_a") in calls and ("prop", "output_dir") in calls
    scurve_ops: Any = bpy.ops.scurve  # type: ignore[attr-defined]  # ours: not in the stubs
    assert scurve_ops.render_variants.poll() and scurve_ops.export_job_file.poll()
    assert not scurve_ops.render_cancel.poll()  # nothing running
