"""Optics: the mirror's rendered normals and hit points against the analytic surface, and
what the render-time tessellation costs.

Measurement (tools/normal_passes.py, tools/normal_errors.py): Cycles' Normal and Position
passes of an orthographic front view, 1 sample per pixel, box filter; each pixel's shading
normal against the analytic normal at the closest surface point, inside the band
0.05 pi < theta < 0.95 pi; position error = the largest distance of a hit point from the
surface (% R). Images are HEIGHT pixels high (the edge bands need pixel rows), as wide as
the surface's aspect asks.

- errors: Default, SMOOTH and Kistefos-like at their own resolution (16 x 16; the preset's
  24 x 32) and at 16 x 16 and 32 x 32 arc segments x rows, at the mirror's own render
  tessellation (smoothing.rendered_levels). The targets are judged at the own resolution on
  Blender 5.0; 4.5 and 4.2 are measured beside it
  when venvs/bpy-4.5 and venvs/bpy-4.2 exist (the same module, --worker, in that venv).
- tessellation (5.0): each profile at its preset's own resolution at render level 3, 4, 5
  and with adaptive subdivision in object space (edges of R/200 and R/100, 5.0 only:
  compat.set_adaptive_subdivision); errors, and the wall time of
  bpy.ops.render.render of the studio scene (setup_studio_scene, STUDIO_RESOLUTION, the
  default samples, CPU, no persistent data: the subdivision is redone), wall and CPU time,
  min of `repeats`.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time

from .blender_env import import_bpy
from .paths import ROOT, result_path

HEIGHT = 160
STUDIO_RESOLUTION = (640, 360)
PROFILES: dict[str, dict] = {"Default": {}, "SMOOTH": {"profile": "SMOOTH"}, "Kistefos-like": {}}  # + the preset
# "own": the mirror's default resolution (16 x 16; the Kistefos-like preset's is 24 x 32),
# where the targets are judged.
RESOLUTIONS: dict[str, tuple[int, int] | None] = {"own": None, "16x16": (16, 16), "32x32": (32, 32)}
TARGET_RESOLUTION = "own"
# Tessellations by label: (render level, adaptive edge length in R); the product's own is "default".
TESSELLATIONS: dict[str, tuple[int | None, float | None]] = {
    "level 3": (3, None), "level 4": (4, None), "level 5": (5, None),
    "adaptive R/200": (None, 1 / 200), "adaptive R/100": (None, 1 / 100)}
TARGETS = {"median": 0.001, "p99": 0.03, "max": 0.1, "position_pct": 0.02}  # degrees; % of R
OTHER_VERSIONS = ("4.5", "4.2")


def surface_params(profile: str, resolution: tuple[int, int] | None = None):
    from scurve_addon.defaults import PRESETS, SurfaceParams

    values = dict(PRESETS["Kistefos-like"]) if profile == "Kistefos-like" else dict(PROFILES[profile])
    if resolution is not None:
        values.update(arc_segments=resolution[0], rows=resolution[1])
    return dataclasses.replace(SurfaceParams(), **values)


def tessellation(label: str):
    from tools.normal_passes import Tessellation

    if label == "default":
        return Tessellation()
    level, edge = TESSELLATIONS[label]
    return Tessellation(level, edge)


def errors(params, label: str, height: int) -> dict:
    """Normal and position errors of one render of the passes (in a fresh empty scene)."""
    bpy = import_bpy()
    from scurve_addon import build
    from tools import normal_errors, normal_passes

    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
    obj = build.build_mirror(bpy.context, params)
    if not normal_passes.apply_tessellation(obj, tessellation(label), params.radius):
        return {"supported": False}
    half_y, _ = normal_passes.surface_extent(params)
    width = round(height * half_y / params.radius)
    passes = normal_passes.render_passes(bpy.context.scene, obj, params, width, height)
    hit = passes.hit
    result = normal_errors.normal_errors(params, passes.position[hit], passes.normal[hit],
                                         normal_passes.rendered_tessellation(obj)).as_dict()
    return {"supported": True, "resolution": [width, height], "passes_render_s": passes.render_s, **result}


_warmed_up: list[bool] = []


def studio_seconds(params, label: str, repeats: int, resolution: tuple[int, int]) -> dict:
    """Times of rendering the studio scene around the mirror: wall and CPU seconds (all of
    Blender's threads; on a shared machine the CPU time is the steadier figure), min of
    `repeats`; the process's first studio render is preceded by an untimed one at 1/8 of the
    resolution (Cycles' kernels and the sky loaded)."""
    bpy = import_bpy()
    from scurve_addon import build
    from scurve_addon.defaults import RenderParams, SceneParams
    from scurve_addon.scene import setup_studio_scene
    from tools import normal_passes

    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
    obj = build.build_mirror(bpy.context, params)
    normal_passes.apply_tessellation(obj, tessellation(label), params.radius)
    setup_studio_scene(bpy.context, SceneParams(), surface=obj, render=RenderParams(resolution=resolution))
    scene = bpy.context.scene
    scene.cycles.device = "CPU"
    scene.render.use_persistent_data = False  # every render subdivides and builds its BVH again
    if not _warmed_up:
        scene.render.resolution_percentage = 12
        bpy.ops.render.render(write_still=False)
        scene.render.resolution_percentage = 100
        _warmed_up.append(True)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = bpy.ops.render.render(write_still=False)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if "FINISHED" not in result:
            raise RuntimeError(f"studio render did not finish: {result}")
    return {"wall_s": min(wall), "cpu_s": min(cpu), "repeats": repeats}


def measure(args: argparse.Namespace) -> dict:
    bpy = import_bpy()
    import scurve_addon

    scurve_addon.register()
    out: dict = {"blender": bpy.app.version_string, "height": args.height, "errors": {}, "tessellation": {}}
    resolutions = [r for r in args.resolutions.split(",") if r]
    for profile in PROFILES:
        out["errors"][profile] = {}
        done: dict = {}  # params -> result: "own" is 16x16 for two of the profiles
        for res in resolutions:
            params = surface_params(profile, RESOLUTIONS[res])
            if params not in done:
                done[params] = {**errors(params, "default", args.height),
                                "grid": f"{params.arc_segments}x{params.rows}"}
            out["errors"][profile][res] = e = done[params]
            print(f"  {bpy.app.version_string} {profile} {res} ({params.arc_segments}x{params.rows}): {summary(e)}",
                  flush=True)
    labels = [t for t in args.tessellations.split(",") if t]
    studio = [p for p in args.studio_profiles.split(",") if p]
    for profile in PROFILES:
        params = surface_params(profile)
        rows: dict = {}
        for label in labels:
            rows[label] = e = errors(params, label, args.height)
            if e["supported"] and profile in studio:
                e["studio"] = studio_seconds(params, label, args.repeats, args.studio_resolution)
            print(f"  {bpy.app.version_string} {profile} {params.arc_segments}x{params.rows} {label}: "
                  f"{summary(e)}" + (f", studio {e['studio']['wall_s']:.2f} s ({e['studio']['cpu_s']:.2f} s CPU)"
                                     if "studio" in e else ""), flush=True)
        if rows:
            out["tessellation"][profile] = {"resolution": f"{params.arc_segments}x{params.rows}", "rows": rows}
    out["studio_resolution"] = list(args.studio_resolution)
    out["repeats"] = args.repeats
    default: dict = out["errors"].get("Default", {})
    first: dict = next(iter(default.values()), {})
    out["default_tessellation"] = first.get("normals", {}).get("levels")
    return out


def summary(e: dict) -> str:
    if not e["supported"]:
        return "not supported on this Blender"
    n = e["normals"]
    return (f"median {n['median_deg']:.4f} p99 {n['p99_deg']:.4f} max {n['max_deg']:.4f} deg, "
            f"position {e['position_max_pct']:.4f} % R")


def other_version(version: str, args: argparse.Namespace) -> dict:
    """This module's --worker run in venvs/bpy-<version>: the errors at the default
    resolution and --worker-tessellations (no object-space adaptive subdivision before 5.0)."""
    python = os.path.join(ROOT, "venvs", f"bpy-{version}", "bin", "python")
    if not os.path.isfile(python):
        return {"skipped": f"venvs/bpy-{version} is absent (make venvs/bpy-{version}/.installed makes it)"}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "optics.json")
        command = [python, "-m", "bench.optics", "--worker", "--out", path, "--height", str(args.height),
                   "--resolutions", TARGET_RESOLUTION, "--tessellations", args.worker_tessellations,
                   "--studio-profiles", ""]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not os.path.isfile(path):
            return {"skipped": f"the {version} run failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"}
        print("\n".join(line for line in proc.stdout.splitlines() if line.startswith("  ")), flush=True)
        with open(path) as fh:
            return dict(json.load(fh))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--height", type=int, default=HEIGHT, help="pixel rows of the passes renders")
    parser.add_argument("--resolutions", default=",".join(RESOLUTIONS), help="of: " + ", ".join(RESOLUTIONS))
    parser.add_argument("--tessellations", default=",".join(TESSELLATIONS), help="of: " + ", ".join(TESSELLATIONS))
    parser.add_argument("--worker-tessellations", default="level 4",
                        help="what the 4.5 and 4.2 runs measure besides the errors")
    parser.add_argument("--studio-profiles", default="Default", help="whose studio renders are timed")
    parser.add_argument("--studio-resolution", type=lambda s: tuple(int(v) for v in s.split("x")),
                        default=STUDIO_RESOLUTION)
    parser.add_argument("--repeats", type=int, default=2, help="studio renders per tessellation (min taken)")
    parser.add_argument("--versions", default=",".join(OTHER_VERSIONS), help="other Blender versions to measure")
    parser.add_argument("--worker", action="store_true", help="measure this Blender only (used for 4.5 and 4.2)")
    parser.add_argument("--out", default=result_path("optics.json"))
    args = parser.parse_args()
    result = measure(args)
    if not args.worker:
        result = {"main": result, "targets": TARGETS, "target_resolution": TARGET_RESOLUTION,
                  "others": {v: other_version(v, args) for v in args.versions.split(",") if v}}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    if args.worker:  # the 4.5 wheel was seen hanging at interpreter exit, 4.2 crashes there
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
