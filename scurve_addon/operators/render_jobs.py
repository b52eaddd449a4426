"""The sidebar's "Render" section: render variants of the active mirror, export them as a job
file, open the scene of a job. docs/design.md, "Rendering from Blender".

- Render Variants (scurve.render_variants) writes a job file (TOML) from the active object's
  parameters and the sidebar's settings (scene.scurve_render), then runs the render pipeline
  on it in a background process (session_process.cli_command: `blender -b -c scurve render
  JOBFILE --out DIR`; in the bpy module, the installed extension's bootstrap; from a checkout,
  `python -m render_jobs`). A modal operator with a timer reads the process's output
  (JobRun.step) into the status bar and the sidebar; Esc or the sidebar's Cancel stops it.
  With no window (a script, background mode) it runs to the end in execute().
- Export Job File... (scurve.export_job_file) writes the same TOML without running it.
- Open Job Scene (scurve.open_job_scene) runs `scene JOBFILE --job NAME --save FILE.blend` in
  a background process and opens the saved file (in background mode: only saves it).

The [scene] table: a scene keeps no studio parameters of its own, so the job file gets the
Studio Scene operator's last-used settings of this Blender session (the defaults where it
has not run). The object's surface parameters are its stored ones (tagging.stored_params,
what obj.scurve shows) and its material's the material's (live.read_material).
"""
from __future__ import annotations

import dataclasses
import math
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any

import bpy
from bpy.props import EnumProperty, IntProperty, IntVectorProperty, StringProperty

from .. import live, tagging
from ..defaults import MaterialParams, SceneParams, SurfaceParams, params_from, specs
from ..render_jobs import jobfile, paths
from ..render_jobs.session_process import cli_command, environment
from .common import SCURVE_ROLES, OperatorResult

SWEEP_TABLES: tuple[tuple[str, type], ...] = (("surface", SurfaceParams), ("material", MaterialParams),
                                              ("scene", SceneParams))
MAX_VALUES = 16  # values of one swept parameter from the sidebar
STOP_WAIT = 5.0  # seconds between terminate and kill when cancelling
TIMER_STEP = 0.2  # seconds between two looks at the process's output


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


# --- the job file ---------------------------------------------------------------------


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


def active_mirror(context: bpy.types.Context) -> bpy.types.Object | None:
    obj = context.active_object
    return obj if tagging.role(obj) in SCURVE_ROLES else None


# --- the background process -------------------------------------------------------------


def _die_with_blender() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the render process is killed when Blender (its parent) dies (PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


PROGRESS_RE = re.compile(r"\|\s*(\d+) of (\d+) done")
PLAN_RE = re.compile(r": (\d+) jobs?, (\d+) to render")


class JobRun:
    """One render_jobs command line in a background process, watched without blocking:
    step() reads what it printed so far, cancel() stops it."""

    def __init__(self, args: list[str], out_dir: str, job_file: str, title: str = "Render Variants"):
        self.args, self.out_dir, self.job_file, self.title = args, out_dir, job_file, title
        self.command = cli_command(args)
        self.lines: list[str] = []
        self.done, self.total = 0, 0
        self.text = "starting Blender..."
        self.history: list[float] = [0.0]  # every progress value its output showed, in order
        self.returncode: int | None = None
        self.cancelled = self.cancel_requested = False
        self.removed_partials: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            self.command, env=environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_blender if os.name == "posix" else None)
        self._reader = threading.Thread(target=self._read, daemon=True, name="scurve-render-output")
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(raw.decode("utf-8", "replace"))
        self._queue.put(None)

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 0.0

    def _take(self, line: str) -> None:
        line = line.replace("\033[K", "").split("\r")[-1].strip()
        if not line:
            return
        self.lines.append(line)
        plan = PLAN_RE.search(line)
        if plan and not self.total:
            self.total = int(plan.group(2)) or int(plan.group(1))
        found = PROGRESS_RE.search(line)
        if found:
            self.done, self.total = int(found.group(1)), int(found.group(2))
        if not self.history or self.history[-1] != self.progress:
            self.history.append(self.progress)
        self.text = line[:160]

    def step(self) -> int | None:
        """Read the output printed since the last step; the exit code once the process ended."""
        ended = False
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                ended = True
                break
            self._take(item)
        if ended or (self.returncode is None and self.proc.poll() is not None and not self._reader.is_alive()):
            self._reader.join(timeout=2)
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not None:
                    self._take(item)
            self.returncode = self.proc.wait()
        return self.returncode

    def wait(self, on_step: Any = None, poll: float = TIMER_STEP) -> int:
        """step() until the process ends (scripts and background mode)."""
        while self.step() is None:
            if on_step is not None:
                on_step(self)
            time.sleep(poll)
        if on_step is not None:
            on_step(self)
        assert self.returncode is not None
        return self.returncode

    def cancel(self) -> int:
        """Stop the process (terminate, then kill after STOP_WAIT s) and remove what a render cut
        short left in the output folder; returns the exit code."""
        self.cancelled = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.returncode = self.proc.wait()
        self._reader.join(timeout=5)
        self.removed_partials = paths.remove_stale_partials(self.out_dir) if os.path.isdir(self.out_dir) else []
        self.text = "cancelled"
        return self.returncode

    def tail(self, count: int = 8) -> str:
        return "\n".join(self.lines[-count:])


# The run the sidebar shows (one at a time), and the last one that ended.
CURRENT: JobRun | None = None
LAST: JobRun | None = None


def stop_running() -> None:
    """Cancel a Render Variants still running (the extension is being disabled)."""
    global CURRENT
    if CURRENT is not None:
        CURRENT.cancel()
        CURRENT = None


def contact_sheet_path(job_file: str, out_dir: str) -> str | None:
    """The contact sheet the job file's first sweep gets, or None (a single job has none)."""
    try:
        batch = jobfile.load(job_file, out_dir=out_dir)
    except jobfile.JobFileError:
        return None
    group = next((g for g in batch.groups if len(g.jobs) > 1), None)
    return os.path.join(batch.out_dir, group.contact_sheet_name) if group and batch.contact_sheet else None


def start_variants(context: bpy.types.Context, obj: bpy.types.Object) -> JobRun:
    """Write the sidebar's job file for `obj` into the output folder and start rendering it.
    ValueError / jobfile.JobFileError: bad settings (nothing started)."""
    settings = context.scene.scurve_render  # type: ignore[attr-defined]  # ours (registration.py)
    text = job_file_text(obj, context, settings)
    out_dir = output_dir(settings)
    os.makedirs(out_dir, exist_ok=True)
    job_file = os.path.join(out_dir, f"{safe_name(obj.name)}.variants.toml")
    paths.write_bytes(job_file, text.encode("utf-8"))
    return JobRun(["render", job_file, "--out", out_dir], out_dir, job_file)


def open_image(context: bpy.types.Context, path: str) -> bool:
    """Show an image in an Image Editor (an open one, else a new window); False without a window."""
    if bpy.app.background or context.window is None:
        return False
    image = bpy.data.images.load(path, check_existing=True)
    image.reload()
    wm = context.window_manager
    area = next((a for w in wm.windows for a in w.screen.areas if a.type == "IMAGE_EDITOR"), None)
    if area is None:
        before = set(wm.windows[:])
        with context.temp_override(window=context.window):
            bpy.ops.wm.window_new()
        new = [w for w in wm.windows if w not in before]
        if not new:
            return False
        area = max(new[0].screen.areas, key=lambda a: a.width * a.height)
        area.type = "IMAGE_EDITOR"
    area.spaces.active.image = image  # type: ignore[attr-defined]  # an Image Editor's space
    return True


def _status(context: bpy.types.Context, text: str | None) -> None:
    workspace = getattr(context, "workspace", None)
    if workspace is not None:
        try:
            workspace.status_text_set(text)
        except (AttributeError, RuntimeError, TypeError):
            pass


class SCURVE_OT_render_variants(bpy.types.Operator):
    """Render variants of the active mirror (the sidebar's Render settings) in a background """ \
        """process, then show their contact sheet. Esc cancels"""

    bl_idname = "scurve.render_variants"
    bl_label = "Render Variants"
    bl_options = {"REGISTER"}

    _run: JobRun | None = None
    _timer: Any = None

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return active_mirror(context) is not None and CURRENT is None

    def _start(self, context: bpy.types.Context) -> JobRun | None:
        global CURRENT
        obj = active_mirror(context)
        assert obj is not None
        if live.state(obj) == live.EDITED:
            self.report({"WARNING"}, live.EDITED_MESSAGE.format(name=obj.name))
        try:
            run = start_variants(context, obj)
        except jobfile.JobFileError as exc:
            self.report({"ERROR"}, "Render Variants: " + "; ".join(exc.problems[:5]))
            return None
        except (ValueError, OSError) as exc:
            self.report({"ERROR"}, f"Render Variants: {exc}")
            return None
        CURRENT = run
        print(f"S-Curve: rendering {run.job_file} -> {run.out_dir}", flush=True)
        return run

    def _finish(self, context: bpy.types.Context, run: JobRun) -> OperatorResult:
        global CURRENT, LAST
        CURRENT, LAST = None, run
        _status(context, None)
        if run.cancelled:
            self.report({"WARNING"}, f"Render Variants cancelled; finished images are in {run.out_dir}")
            return {"CANCELLED"}
        if run.returncode != 0:
            self.report({"ERROR"}, f"Render Variants failed (exit code {run.returncode}):\n{run.tail()}")
            return {"CANCELLED"}
        sheet = contact_sheet_path(run.job_file, run.out_dir)
        if sheet and os.path.isfile(sheet) and open_image(context, sheet):
            self.report({"INFO"}, f"Render Variants: {run.done} images, contact sheet {sheet}")
        else:
            self.report({"INFO"}, f"Render Variants: {run.done} images in {run.out_dir}"
                                  + (f"; contact sheet {sheet}" if sheet else ""))
        return {"FINISHED"}

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        """Scripts and background mode: render to the end, printing the progress."""
        run = self._start(context)
        if run is None:
            return {"CANCELLED"}
        shown = [""]

        def on_step(r: JobRun) -> None:
            if r.text != shown[0]:
                shown[0] = r.text
                print(f"S-Curve render {r.done}/{r.total or '?'}: {r.text}", flush=True)
                _status(context, f"Render Variants {r.done}/{r.total or '?'}: {r.text}")

        try:
            run.wait(on_step)
        except BaseException:
            run.cancel()
            self._finish(context, run)
            raise
        return self._finish(context, run)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OperatorResult:
        if context.window is None or bpy.app.background:
            return self.execute(context)
        run = self._start(context)
        if run is None:
            return {"CANCELLED"}
        self._run = run
        wm = context.window_manager
        self._timer = wm.event_timer_add(TIMER_STEP, window=context.window)
        wm.progress_begin(0.0, 1.0)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def _end_modal(self, context: bpy.types.Context) -> None:
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        wm.progress_end()
        for area in context.screen.areas if context.screen else []:
            area.tag_redraw()

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> OperatorResult:
        run = self._run
        assert run is not None
        if event.type == "ESC" or run.cancel_requested:
            run.cancel()
            self._end_modal(context)
            return self._finish(context, run)
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        code = run.step()
        context.window_manager.progress_update(run.progress)
        _status(context, f"Render Variants {run.done}/{run.total or '?'}: {run.text}  (Esc: cancel)")
        for area in context.screen.areas if context.screen else []:
            if area.type == "VIEW_3D":
                area.tag_redraw()
        if code is None:
            return {"PASS_THROUGH"}
        self._end_modal(context)
        return self._finish(context, run)


class SCURVE_OT_render_cancel(bpy.types.Operator):
    """Stop the running Render Variants (what is finished stays)"""

    bl_idname = "scurve.render_cancel"
    bl_label = "Cancel Render"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return CURRENT is not None

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        if CURRENT is not None:
            CURRENT.cancel_requested = True  # the modal operator stops it on its next timer event
        return {"FINISHED"}


def _select_file(operator: Any, context: bpy.types.Context) -> OperatorResult:
    """Open the file browser for `operator` (its filepath); execute() runs when a file is chosen."""
    context.window_manager.fileselect_add(operator)
    return {"RUNNING_MODAL"}


class SCURVE_OT_export_job_file(bpy.types.Operator):
    """Write the sidebar's Render Variants of the active mirror as a job file (TOML) for """ \
        """`blender -b -c scurve render` or `python -m render_jobs render`, without rendering"""

    bl_idname = "scurve.export_job_file"
    bl_label = "Export Job File"
    bl_options = {"REGISTER"}

    filepath: StringProperty(  # type: ignore[valid-type]
        name="File Path", subtype="FILE_PATH", default="", description="The job file to write (.toml)")
    filter_glob: StringProperty(default="*.toml", options={"HIDDEN"})  # type: ignore[valid-type]

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return active_mirror(context) is not None

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OperatorResult:
        obj = active_mirror(context)
        if not self.filepath and obj is not None:
            folder = os.path.dirname(bpy.data.filepath) if bpy.data.filepath else os.getcwd()
            self.filepath = os.path.join(folder, f"{safe_name(obj.name)}.toml")
        return _select_file(self, context)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        obj = active_mirror(context)
        if obj is None or not self.filepath:
            self.report({"ERROR"}, "Export Job File: no active S-Curve mirror, or no file path")
            return {"CANCELLED"}
        try:
            text = job_file_text(obj, context, context.scene.scurve_render)  # type: ignore[attr-defined]
            path = os.path.abspath(bpy.path.abspath(self.filepath))
            if not path.lower().endswith(".toml"):
                path += ".toml"
            os.makedirs(os.path.dirname(path), exist_ok=True)
            paths.write_bytes(path, text.encode("utf-8"))
        except jobfile.JobFileError as exc:
            self.report({"ERROR"}, "Export Job File: " + "; ".join(exc.problems[:5]))
            return {"CANCELLED"}
        except (ValueError, OSError) as exc:
            self.report({"ERROR"}, f"Export Job File: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Job file written: {path}")
        return {"FINISHED"}


def save_job_scene(job_file: str, job: str, blend: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`scene JOBFILE [--job NAME] --save BLEND` in a background process (this file stays open)."""
    args = ["scene", job_file, "--save", blend] + (["--job", job] if job else [])
    return subprocess.run(cli_command(args), env=environment(), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_die_with_blender if os.name == "posix" else None)


class SCURVE_OT_open_job_scene(bpy.types.Operator):
    """Build the exact scene a job of a job file renders (mirror, studio, render settings) and """ \
        """open it; unsaved changes to the current file are lost"""

    bl_idname = "scurve.open_job_scene"
    bl_label = "Open Job Scene"
    bl_options = {"REGISTER"}

    filepath: StringProperty(  # type: ignore[valid-type]
        name="Job File", subtype="FILE_PATH", default="", description="The job file (.toml)")
    filter_glob: StringProperty(default="*.toml", options={"HIDDEN"})  # type: ignore[valid-type]
    job: StringProperty(  # type: ignore[valid-type]
        name="Job", default="", description="The job's name (empty: the first job of the file)")
    save_path: StringProperty(  # type: ignore[valid-type]
        name="Save As", subtype="FILE_PATH", default="",
        description="Where the scene is saved (empty: next to the job file, <file>.<job>.blend)")

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OperatorResult:
        return _select_file(self, context)

    def execute(self, context: bpy.types.Context) -> OperatorResult:
        job_file = os.path.abspath(bpy.path.abspath(self.filepath))
        if not os.path.isfile(job_file):
            self.report({"ERROR"}, f"Open Job Scene: no job file {job_file!r}")
            return {"CANCELLED"}
        stem = os.path.splitext(job_file)[0]
        blend = os.path.abspath(bpy.path.abspath(self.save_path)) if self.save_path else \
            f"{stem}.{safe_name(self.job) if self.job else 'first'}.blend"
        proc = save_job_scene(job_file, self.job, blend)
        if proc.returncode != 0 or not os.path.isfile(blend):
            said = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()][-6:]
            self.report({"ERROR"}, f"Open Job Scene failed (exit code {proc.returncode}):\n" + "\n".join(said))
            return {"CANCELLED"}
        if bpy.app.background or context.window is None:
            self.report({"INFO"}, f"Job scene saved: {blend}")
            return {"FINISHED"}
        bpy.ops.wm.open_mainfile(filepath=blend)
        return {"FINISHED"}


def draw_render_section(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    """The sidebar's Render section (ui.py's panel)."""
    settings = getattr(context.scene, "scurve_render", None)
    if settings is None:
        return
    run = CURRENT
    if run is not None:
        box = layout.box()
        box.label(text=f"Rendering {run.done}/{run.total or '?'}", icon="RENDER_STILL")
        box.label(text=run.text[:60])
        box.operator(SCURVE_OT_render_cancel.bl_idname, text="Cancel", icon="CANCEL")
    col = layout.column()
    col.prop(settings, "sweep_a")
    col.prop(settings, "values_a")
    col.prop(settings, "sweep_b")
    if settings.sweep_b != "NONE":
        col.prop(settings, "values_b")
    col.prop(settings, "samples")
    col.prop(settings, "resolution")
    col.prop(settings, "output_dir")
    row = layout.row(align=True)
    row.operator(SCURVE_OT_render_variants.bl_idname, icon="RENDER_ANIMATION")
    row.operator(SCURVE_OT_export_job_file.bl_idname, text="Export Job File...", icon="EXPORT")
    row = layout.row(align=True)
    row.prop(settings, "job_name", text="Job")
    row.operator(SCURVE_OT_open_job_scene.bl_idname, text="Open Job Scene...", icon="FILE_BLEND").job = \
        settings.job_name
    if LAST is not None and run is None:
        layout.label(text=f"Last: {LAST.text[:60]}", icon="INFO")


CLASSES: tuple[type, ...] = (SCurveRenderSettings, SCURVE_OT_render_variants, SCURVE_OT_render_cancel,
                             SCURVE_OT_export_job_file, SCURVE_OT_open_job_scene)
