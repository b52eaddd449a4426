"""The sidebar's "Render" section: render variants of the active mirror, export them as a job
file, open the scene of a job. docs/design.md, "Rendering from Blender". The job file is
written by variants.py, the background process is job_run.JobRun.

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
"""
from __future__ import annotations

import os
from typing import Any

import bpy
from bpy.props import StringProperty

from .. import live, tagging
from ..job_run import TIMER_STEP, JobRun, contact_sheet_path, save_job_scene
from ..render_jobs import jobfile, paths
from ..variants import SCurveRenderSettings, job_file_text, output_dir, safe_name
from .common import SCURVE_ROLES, OperatorResult


def active_mirror(context: bpy.types.Context) -> bpy.types.Object | None:
    obj = context.active_object
    return obj if tagging.role(obj) in SCURVE_ROLES else None


# The run the sidebar shows (one at a time), and the last one that ended.
CURRENT: JobRun | None = None
LAST: JobRun | None = None


def stop_running() -> None:
    """Cancel a Render Variants still running (the extension is being disabled)."""
    global CURRENT
    if CURRENT is not None:
        CURRENT.cancel()
        CURRENT = None


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
