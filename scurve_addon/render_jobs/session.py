"""A render session: one Blender renders a sequence of jobs, changing only what differs.

The first job builds everything from an empty scene: the mirror, its material, the studio,
the render settings. Each later job compares its parameters with the previous job's and
touches only what differs:

- the surface mesh, rebuilt in place (build.rebuild_surface) when the surface differs;
- the mirror material's values, when the material differs;
- the studio parts whose inputs differ (setup_studio_scene with reuse: the camera follows
  a new surface size, the sky is left alone when only the mesh changes...);
- the output settings, when the render settings differ;
- the camera's pose, for a frame of an animation (job.camera): set after the studio, so a
  frame that only moves the camera reuses everything else (mesh, material, studio).

Cycles' persistent data is on, so what Cycles built for unchanged objects (the sky's
importance map, the test objects' BVH, compiled shaders) carries over to the next render.
Known trap: with persistent data, Cycles misses a change of the Subdivision Surface
modifier's render levels alone unless the object is tagged (rebuild_surface tags it).

The mesh statistics and the quality report are computed once per distinct surface, in
numpy, from the control grid (scurve_addon.geometry.limit): no depsgraph evaluation. The
session's owner (the local runner, a Dask worker) usually computes them, in a process that
is not busy rendering; the session takes them after the image is written and records who
measured (`surface_measured_by` in the sidecar's session record). The owner also sends the
fits of the control net (geometry/edge_fit.py) it has, so the session builds a new surface
without fitting it again (`surface_fitted_by`).

Blender's memory grows over a long session (render results, Cycles' caches); the process
that hosts a session is recycled by its owner (session_process.py) after a number of jobs
or past a memory limit.
"""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

import bpy
from mathutils import Matrix

from .. import build, compat, smoothing
from ..defaults import SurfaceParams
from ..geometry.optics import levels_data
from ..material import ensure_mirror_material
from ..scene import INPUTS_KEY, setup_studio_scene
from ..scene.tags import find_object
from . import camera_paths, devices, paths, render, sidecar
from .jobfile import Job
from .measure import measure, take_surface_fits

LAPS = ("reset", "build_surface", "studio_scene", "device", "measure", "render", "write_image")
# A surface's numbers from the session's owner (measure.measure), a function that waits for
# them (None: the owner has none), or None.
Measured = dict[str, Any] | Callable[[], dict[str, Any] | None] | None


class RenderSession:
    """Renders jobs one after the other in this process (bpy), reusing what it can."""

    def __init__(self) -> None:
        self.id = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns() % 10**9:09d}"
        self.jobs = 0  # jobs rendered by this session so far
        self.previous: Job | None = None
        self.surface: bpy.types.Object | None = None
        self._measured: dict[tuple, tuple[dict, dict, str]] = {}  # surface -> (mesh statistics, quality, by)

    def _scene_is_ours(self) -> bool:
        """The scene still holds the surface this session built (nothing else reset it)."""
        try:
            return self.surface is not None and self.surface.name in bpy.context.scene.objects
        except ReferenceError:  # the object was freed (a file was loaded)
            return False

    def _measure(self, surface: SurfaceParams, given: Measured = None) -> tuple[dict, dict, str]:
        """Mesh statistics and quality report of a surface, computed once per surface, and who
        measured it ("owner" or "session"). `given`: measure.measure(surface) computed by the
        owner (the local runner's thread, a Dask worker), or a function that waits for them
        (None: not sent); asked only for a surface this session has not measured yet."""
        key = astuple(surface)
        if key not in self._measured:
            levels = smoothing.rendered_levels(surface)
            numbers = given() if callable(given) else given
            if numbers is None or numbers.get("rendered_levels") != levels_data(levels):  # none, or a wrong guess
                numbers, by = measure(surface, levels), "session"
            else:
                by = "owner"
            self._measured[key] = (dict(numbers["mesh"]), dict(numbers["quality"]), by)
        mesh, quality, by = self._measured[key]
        return dict(mesh), dict(quality), by

    def _prepare(self, job: Job, previous: Job | None, lap: Callable[[str], None]) -> list[str]:
        """Set the scene up for `job` (from an empty scene when `previous` is None); returns
        the parts reused from the previous job."""
        context = bpy.context
        if previous is None:
            render.reset_scene()
            lap("reset")
            self.surface = build.build_mirror(context, job.surface, job.material)
            lap("build_surface")
            setup_studio_scene(context, job.scene, surface=self.surface, render=job.render)
            render.apply_output_settings(context.scene, job.render)
            lap("studio_scene")
            return []
        assert self.surface is not None
        reused = []
        lap("reset")
        if previous.surface != job.surface:
            build.rebuild_surface(self.surface, job.surface)
        else:
            reused.append("surface")
        if previous.material != job.material:
            ensure_mirror_material(job.material)
        else:
            reused.append("material")
        lap("build_surface")
        if previous.camera is not None and job.camera is None:  # an animation moved the studio's camera
            camera = find_object(context.scene, "CAMERA")
            if camera is not None and camera.get(INPUTS_KEY) is not None:
                del camera[INPUTS_KEY]  # framed again below
        rebuilt: list[str] = []
        setup_studio_scene(context, job.scene, surface=self.surface, render=job.render, reuse=True,
                           rebuilt=rebuilt)
        present = {"ground": job.scene.ground, "test_objects": job.scene.test_objects,
                   "area_lights": job.scene.area_lights}
        reused += [f"studio.{part}" for part in STUDIO_PARTS if part not in rebuilt and present.get(part, True)]
        if previous.render != job.render:
            render.apply_output_settings(context.scene, job.render)
        else:
            reused.append("output_settings")
        lap("studio_scene")
        return reused

    def render(self, job: Job, job_file: str, out_dir: str, device: devices.Device,
               on_stats: Callable[[str], None] | None = None, threads: int | None = None,
               measured: Measured = None, fits: Any = None) -> dict:
        """Render one job into out_dir (image, then sidecar, each atomically); returns the sidecar.
        `threads`: CPU threads for Cycles (None: every core). `measured`: the job's surface
        measured already (measure.measure), a function that waits for those numbers (asked
        after the image is written, so the owner measures while Cycles renders), or None.
        `fits`: the fits of the surface's control net from the owner (measure.surface_fits), or None."""
        timings = dict.fromkeys(LAPS, 0.0)
        start = last = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal last
            now = time.perf_counter()
            timings[name] = round(timings[name] + now - last, 4)
            last = now

        image_path = paths.output_path(out_dir, job.image_name)
        sidecar_path = paths.output_path(out_dir, job.sidecar_name)
        previous = self.previous if self._scene_is_ours() else None
        fitted_by = "owner" if take_surface_fits(job.surface, fits) else "session"
        reused = self._prepare(job, previous, lap)
        if job.camera is not None:
            pose_camera(bpy.context.scene, job.camera)
        self.previous = job  # the scene now holds this job (even if the render fails below)
        scene = bpy.context.scene
        mode: Any = "FIXED" if threads else "AUTO"
        if (scene.render.threads_mode, scene.render.threads if threads else 0) != (mode, threads or 0):
            scene.render.threads_mode = mode
            if threads:
                scene.render.threads = int(threads)
        devices.use(scene, device)
        lap("device")
        synced = CyclesSync()

        def stats(text: str) -> None:
            synced.read(text)
            if on_stats is not None:
                on_stats(text)

        # Blender 4.5's Cycles keeps the sampling pattern of the previous sample count in its
        # persistent data (the same job then renders other noise than alone): such a job
        # renders with Cycles' data rebuilt (compat.py).
        rebuild = (compat.PERSISTENT_DATA_KEEPS_SAMPLE_PATTERN and previous is not None
                   and previous.render.samples != job.render.samples)
        if rebuild:
            reused.append("cycles_data_rebuilt")
        render.render_still(scene, stats, persistent=not rebuild)
        lap("render")
        render.save_image(scene, image_path, job.render)
        lap("write_image")
        mesh, quality, measured_by = self._measure(job.surface, measured)
        lap("measure")
        self.jobs += 1
        data = sidecar.build(
            job, job_file, image_path,
            blender=render.blender_info(),
            device=device.record(),
            samples=render.sampling_record(scene, job),
            render_time_s=timings["render"],
            timings=timings,
            mesh=mesh,
            quality=quality,
            session={"id": self.id, "job": self.jobs, "reused": reused, "cycles_sync": synced.record(),
                     "surface_fitted_by": fitted_by, "surface_measured_by": measured_by},
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **({"animation": animation_record(job)} if job.camera is not None else {}),
        )
        data["timings"]["total"] = round(time.perf_counter() - start, 4)
        paths.write_json(sidecar_path, data)
        return data


class CyclesSync:
    """The images Cycles (re)loaded and the objects whose geometry it rebuilt (BVH) for one
    render, from its status lines. With persistent data, a job that changes only the mesh or
    the render settings loads no image (the sky is a 0.7 s image load on a small CPU), and a
    frame that only moves the camera rebuilds no geometry (studio's dicing camera)."""

    GEOMETRY = "Updating Geometry BVH "

    def __init__(self) -> None:
        self.images: list[str] = []
        self.geometry: list[str] = []

    def read(self, text: str) -> None:
        for part in (p.strip() for p in text.split("|")):
            if part.startswith("Loading ") and "kernels" not in part:  # images, not compiled kernels
                name = part.removeprefix("Loading ").strip()
                if name not in self.images:
                    self.images.append(name)
            elif part.startswith(self.GEOMETRY):  # "Updating Geometry BVH <object> <i>/<n>"
                name = part.removeprefix(self.GEOMETRY).rsplit(" ", 1)[0].strip()
                if name and name not in self.geometry:
                    self.geometry.append(name)

    def record(self) -> dict:
        return {"images_loaded": self.images, "geometry_rebuilt": self.geometry}


def pose_camera(scene: bpy.types.Scene, matrix: tuple[float, ...]) -> None:
    """Put the scene's camera (the studio's) where a frame of an animation has it."""
    camera = scene.camera
    if camera is None:
        raise RuntimeError("the scene has no camera to move along the path")
    camera.matrix_world = Matrix(camera_paths.from_tuple(matrix).tolist())


def animation_record(job: Job) -> dict[str, Any]:
    """A frame's sidecar section: the frame, its time, the keyed values and the camera."""
    assert job.camera is not None
    matrix = camera_paths.from_tuple(job.camera)
    return {"frame": job.frame, "time": job.time, "keys": dict(job.keyed),
            "camera": {"location": [float(v) for v in matrix[:3, 3]],
                       "rotation_euler": [float(v) for v in camera_paths.euler_xyz(matrix)],
                       "rotation_mode": "XYZ", "lens": job.scene.camera_lens,
                       "matrix_world": [[float(v) for v in row] for row in matrix]}}


# The studio's parts as setup_studio_scene names them in `rebuilt`.
STUDIO_PARTS = ("render_settings", "world", "sun", "ground", "test_objects", "area_lights", "camera")


def prepare_scene(job: Job, out_dir: str, device: devices.Device) -> bpy.types.Scene:
    """The scene `job` renders, set up in this process exactly as a session's first job is
    (from an empty scene, persistent data and device included), without rendering. Its output
    path points at the job's image in out_dir, so F12 then Render > Save shows the same image."""
    RenderSession()._prepare(job, None, lambda _name: None)
    scene = bpy.context.scene
    devices.use(scene, device)
    scene.render.filepath = os.path.join(out_dir, job.name)
    return scene


def save_scene(job: Job, out_dir: str, device: devices.Device, path: str) -> str:
    """prepare_scene, then save the whole file (the scene, its mirror and studio) as `path`."""
    prepare_scene(job, out_dir, device)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=os.path.abspath(path), check_existing=False, copy=True)
    if not os.path.isfile(path):
        raise RuntimeError(f"Blender did not save {path}")
    return path


def render_once(job: Job, job_file: str, out_dir: str, device: devices.Device,
                on_stats: Callable[[str], None] | None = None) -> dict[str, Any]:
    """One job in a session of its own (from an empty scene)."""
    return RenderSession().render(job, job_file, out_dir, device, on_stats)
