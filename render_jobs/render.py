"""One job, top to bottom: empty scene, mirror, studio, settings, device, render, image, sidecar."""
from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from typing import Any, cast

import bpy

from scurve_addon import build
from scurve_addon.defaults import RenderParams

from . import devices, paths, sidecar
from .jobfile import Job


def reset_scene() -> None:
    """An empty scene from Blender's factory startup (user preferences, devices included, kept)."""
    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)


def setup_studio(context: bpy.types.Context, job: Job, surface: bpy.types.Object) -> dict:
    try:
        from scurve_addon.scene import setup_studio_scene
    except ImportError as exc:  # pragma: no cover - only while the scene module is missing
        raise RuntimeError(f"the studio scene (scurve_addon.scene) cannot be imported: {exc}") from exc
    return setup_studio_scene(context, job.scene, surface=surface, render=job.render)


def apply_output_settings(scene: bpy.types.Scene, render: RenderParams) -> None:
    """Image size and format; the studio already set Cycles' sampling from the same RenderParams."""
    scene.render.engine = "CYCLES"  # type: ignore[assignment]  # the stubs know only the built-in engines
    scene.render.resolution_x, scene.render.resolution_y = (int(v) for v in render.resolution)
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = False
    scene.render.use_persistent_data = False
    settings = cast(Any, scene.render.image_settings)  # file_format: checked against RenderParams' choices
    settings.file_format = render.file_format
    if render.file_format == "OPEN_EXR":
        settings.color_mode, settings.color_depth, settings.exr_codec = "RGBA", "32", "ZIP"
    else:
        settings.color_mode, settings.color_depth, settings.compression = "RGB", "8", 15


def _subdivision(obj: bpy.types.Object) -> bpy.types.SubsurfModifier | None:
    return next((cast(bpy.types.SubsurfModifier, m) for m in obj.modifiers if m.type == "SUBSURF"), None)


def mesh_statistics(obj: bpy.types.Object) -> dict:
    """Vertex and face counts of the control mesh and of the mesh Cycles renders (render levels)."""
    data = cast(bpy.types.Mesh, obj.data)
    stats: dict[str, Any] = {"control": {"vertices": len(data.vertices), "faces": len(data.polygons)}}
    mod = _subdivision(obj)
    levels = mod.render_levels if mod else 0
    viewport = mod.levels if mod else 0
    try:
        if mod:
            mod.levels = levels  # evaluate what the render sees
        dg = bpy.context.evaluated_depsgraph_get()
        dg.update()
        evaluated = obj.evaluated_get(dg)
        mesh = evaluated.to_mesh()
        stats["rendered"] = {"vertices": len(mesh.vertices), "faces": len(mesh.polygons),
                             "subdivision_levels": levels}
        evaluated.to_mesh_clear()
    finally:
        if mod:
            mod.levels = viewport
            bpy.context.view_layer.update()
    return stats


def blender_info() -> dict:
    def text(v: object) -> str:
        return v.decode() if isinstance(v, bytes) else str(v)

    return {"version": bpy.app.version_string, "build_hash": text(bpy.app.build_hash),
            "build_date": text(bpy.app.build_date), "build_branch": text(bpy.app.build_branch),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "binary": bpy.app.binary_path or None}  # None: the bpy module


def render_job(job: Job, job_file: str, out_dir: str, device: devices.Device,
               on_stats: Callable[[str], None] | None = None) -> dict:
    """Render one job into out_dir (image, then sidecar, each atomically); returns the sidecar."""
    timings: dict[str, float] = {}
    start = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[name] = round(now - last, 4)
        last = now

    image_path = paths.output_path(out_dir, job.image_name)
    sidecar_path = paths.output_path(out_dir, job.sidecar_name)

    reset_scene()
    context = bpy.context
    lap("reset")
    surface = build.build_mirror(context, job.surface, job.material)
    lap("build_surface")
    setup_studio(context, job, surface)
    scene = context.scene
    apply_output_settings(scene, job.render)
    lap("studio_scene")
    devices.use(scene, device)
    lap("device")
    mesh = mesh_statistics(surface)
    quality = build.evaluated_quality(surface)
    mod = _subdivision(surface)
    mesh["quality_subdivision_levels"] = mod.levels if mod else 0  # evaluated_quality: viewport levels
    lap("measure")

    handler = (lambda *args: on_stats(str(args[0]))) if on_stats else None
    if handler:
        bpy.app.handlers.render_stats.append(handler)
    try:
        result: set[str] = set(bpy.ops.render.render(write_still=False) or ())
    finally:
        if handler:
            bpy.app.handlers.render_stats.remove(handler)
    if "FINISHED" not in result:
        raise RuntimeError(f"Cycles did not finish the render ({', '.join(result)})")
    lap("render")
    render_seconds = timings["render"]

    with paths.atomic_target(image_path) as partial:
        bpy.data.images["Render Result"].save_render(filepath=partial, scene=scene)
    lap("write_image")

    cycles = scene.cycles
    data = sidecar.build(
        job, job_file, image_path,
        blender=blender_info(),
        device=device.record(),
        samples={"max": cycles.samples, "adaptive": bool(cycles.use_adaptive_sampling),
                 "noise_threshold": job.render.noise_threshold if cycles.use_adaptive_sampling else 0.0,
                 "denoise": bool(cycles.use_denoising),
                 "denoiser": cycles.denoiser if cycles.use_denoising else None,
                 "seed": cycles.seed, "glossy_bounces": cycles.glossy_bounces, "max_bounces": cycles.max_bounces},
        render_time_s=render_seconds,
        timings=timings,
        mesh=mesh,
        quality=quality.as_dict(),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    data["timings"]["total"] = round(time.perf_counter() - start, 4)
    paths.write_json(sidecar_path, data)
    return data
