"""Part 2: the share of a batch's wall time that is not Cycles rendering the image.

A batch of small renders (640x360, the default samples; two jobs that differ only in the
seed), run by each runner in a fresh process:

- local: `python -m render_jobs render` (one render session process for the batch);
- Dask: `python -m render_jobs render --workers 1` (a local Dask cluster of one worker,
  whose render session process renders the jobs).

bench/probe_site puts a RenderProbe (bench/render_probe.py) in every render session
process; it timestamps Cycles' own status messages. Render work is Cycles' span from its
first to its last "Sample" message: path tracing and, since Cycles sends its last status
after the denoiser, denoising too (counted as render work). Wall time runs from starting
the runner's process to its exit; everything else (process and cluster start, bpy import,
scene and studio set-up, quality measurement, Cycles' sync of the scene, image and sidecar
writing, contact sheet) is the overhead, itemised from the sidecars' `timings` and the
probes. Target: at most 5 % locally, 8 % on Dask.

In the same run, the floor: one bare Blender script (`FLOOR`) that imports bpy, builds the
default mirror and studio with persistent data on, and renders and saves the same two
images, measured the same way. Its share is what any process that renders these two
images pays (Blender's import and Cycles' first sync of the scene): the runners' shares are
reported beside it.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from scurve_addon.defaults import SurfaceParams

from . import fits
from .paths import ROOT, result_path

RESOLUTION = "640x360"
SEEDS = (1, 2)
TARGETS = {"local": 0.05, "dask": 0.08}
LAPS = ("reset", "build_surface", "studio_scene", "device", "measure", "render", "write_image")
PROBE_SITE = os.path.join(ROOT, "bench", "probe_site")


def probed(name: str, folder: str, command: list[str]) -> tuple[float, str, dict[int, dict]]:
    """Run `command` (its "{out}" replaced by the output folder) with bench/probe_site in it
    and in the processes it starts, from fresh `<name>_out` (not created) and `<name>_probes`
    folders: (wall seconds from start to exit, the output folder, the probes by process id).
    Raises RuntimeError with the command's output when it fails."""
    out_dir, probes = os.path.join(folder, f"{name}_out"), os.path.join(folder, f"{name}_probes")
    for path in (out_dir, probes):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(probes)
    pythonpath = os.pathsep.join(p for p in (PROBE_SITE, ROOT, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=pythonpath, SCURVE_BENCH_PROBE_DIR=probes)
    launched = time.time()
    proc = subprocess.run([out_dir if arg == "{out}" else arg for arg in command], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall = time.time() - launched
    if proc.returncode != 0:
        raise RuntimeError(f"the {name} run failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    found = {}
    for path in glob.glob(os.path.join(probes, "probe-*.json")):
        with open(path) as fh:
            probe = json.load(fh)
        found[probe["pid"]] = probe
    return wall, out_dir, found


FLOOR = r'''
import os, sys
import bpy
from scurve_addon import build
from scurve_addon.defaults import RenderParams, SceneParams, SurfaceParams
from scurve_addon.render_jobs import render  # (bench/probe_site observes the renders from here on)
from scurve_addon.scene import setup_studio_scene
out, resolution, samples = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out)
bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
context = bpy.context
params = RenderParams(resolution=tuple(int(v) for v in resolution.split("x")),
                      **({"samples": int(samples)} if samples != "default" else {}))
surface = build.build_mirror(context, SurfaceParams())
setup_studio_scene(context, SceneParams(), surface=surface, render=params)
scene = context.scene
render.apply_output_settings(scene, params)  # PNG settings, persistent data on
scene.cycles.device = "CPU"
for seed in (@SEEDS@):
    scene.cycles.seed = seed
    bpy.ops.render.render(write_still=False)
    bpy.data.images["Render Result"].save_render(filepath=os.path.join(out, f"floor_{seed}.png"), scene=scene)
'''


def run_floor(folder: str, resolution: str, samples: int | None) -> dict:
    """The floor: FLOOR in a fresh process, timed from its start to its exit, its renders
    observed by the same probe as the runners'."""
    scripts = tempfile.mkdtemp(prefix="scurve-overhead-floor-")  # not under bench/: lint reads that
    script = os.path.join(scripts, "floor.py")
    with open(script, "w") as fh:
        fh.write(FLOOR.replace("@SEEDS@", ", ".join(str(s) for s in SEEDS)))
    try:
        wall, out_dir, probes = probed("floor", folder,
                                       [sys.executable, script, "{out}", resolution, str(samples or "default")])
    finally:
        shutil.rmtree(scripts, ignore_errors=True)
    if len(os.listdir(out_dir)) != len(SEEDS):
        raise RuntimeError(f"the floor wrote {sorted(os.listdir(out_dir))}, not {len(SEEDS)} images")
    (probe,) = probes.values()
    renders = probe["renders"]
    render_work = sum(r["sampling_s"] for r in renders)
    parts = {"process start and bpy import": probe["render_imported"] - probe["python_started"],
             "render: Cycles sync (scene, BVH, images)": sum(r["sync_s"] for r in renders)}
    parts["the rest (scene build, image writing, exit)"] = wall - render_work - sum(parts.values())
    return {"measured": True, "wall_s": wall, "render_work_s": render_work, "renders": len(renders),
            "overhead_share": 1.0 - render_work / wall, "overhead_parts_s": parts}


def write_job_file(folder: str, resolution: str, samples: int | None) -> str:
    path = os.path.join(folder, "overhead.toml")
    lines = ["# Written by bench/batch_overhead.py: small renders that differ only in the seed.",
             "[render]", f'resolution = "{resolution}"', f"seed = [{', '.join(str(s) for s in SEEDS)}]"]
    if samples is not None:
        lines.append(f"samples = {samples}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def read_sidecars(out_dir: str) -> list[dict]:
    out = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
        with open(path) as fh:
            data = json.load(fh)
        if "timings" in data:
            out.append(data)
    return out


def run(folder: str, job_file: str, runner: str) -> dict:
    command = [sys.executable, "-m", "render_jobs", "render", job_file, "--out", "{out}", "--force"]
    if runner == "dask":
        command += ["--workers", "1"]
    wall, out_dir, sessions = probed(runner, folder, command)
    pairs = []
    for s in read_sidecars(out_dir):  # the session id is host-pid-n; its job number indexes the probe's renders
        pid = int(s["session"]["id"].split("-")[-2])
        pairs.append((s, sessions[pid]["renders"][s["session"]["job"] - 1]))
    start_up = sum(p["render_imported"] - p["python_started"] for p in sessions.values())
    return summarise(wall, pairs, start_up, TARGETS[runner])


def summarise(wall: float, pairs: list[tuple[dict, dict]], start_up: float, target: float) -> dict:
    render_work = sum(r["sampling_s"] for _, r in pairs)
    parts = {"session processes: start and bpy import": start_up}
    for lap in LAPS:
        if lap != "render":
            parts[f"job: {lap}"] = sum(s["timings"].get(lap, 0.0) for s, _ in pairs)
    parts["job: sidecar and the rest"] = sum(
        s["timings"]["total"] - sum(s["timings"].get(k, 0.0) for k in LAPS) for s, _ in pairs)
    parts["render: Cycles sync (scene, BVH, images)"] = sum(r["sync_s"] for _, r in pairs)
    parts["render: after the last status message"] = sum(r["post_s"] for _, r in pairs)
    parts["render: outside Cycles' render handlers"] = sum(s["timings"]["render"] - r["render_s"] for s, r in pairs)
    parts["runner: start, plan, devices, contact sheet, exit (the rest)"] = (
        wall - render_work - sum(parts.values()))
    jobs = []
    for s, r in sorted(pairs, key=lambda p: p[0]["job"]["name"]):
        total = s["timings"]["total"]
        jobs.append({"name": s["job"]["name"], "total_s": total, "render_work_s": r["sampling_s"],
                     "sync_s": r["sync_s"], "post_s": r["post_s"], "slowest_sync_step": r["slowest_sync_step"],
                     "overhead_share": 1.0 - r["sampling_s"] / total, "timings": s["timings"],
                     "session": s.get("session"), "device": s.get("device"), "samples": s.get("samples"),
                     "resolution": [s["image"]["width"], s["image"]["height"]]})
    return {"measured": True, "wall_s": wall, "render_work_s": render_work,
            "overhead_share": 1.0 - render_work / wall, "overhead_parts_s": parts, "jobs": jobs,
            "target_share": target}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default=RESOLUTION)
    parser.add_argument("--samples", type=int, default=None, help="default: RenderParams' default samples")
    parser.add_argument("--runners", default="local,dask")
    parser.add_argument("--out", default=result_path("batch_overhead.json"))
    args = parser.parse_args()
    folder = result_path("batch_overhead")
    os.makedirs(folder, exist_ok=True)
    job_file = write_job_file(folder, args.resolution, args.samples)
    result: dict = {"resolution": args.resolution, "samples": args.samples,
                    "fit_cache": fits.fill([SurfaceParams()])}
    for runner in ("local", "dask"):
        if runner not in args.runners.split(","):
            result[runner] = {"measured": False, "why": "not measured: not asked for (--runners)"}
            continue
        result[runner] = r = run(folder, job_file, runner)
        print(f"  {runner} runner: {len(r['jobs'])} jobs, wall {r['wall_s']:.1f} s, render work "
              f"{r['render_work_s']:.1f} s, overhead {r['overhead_share'] * 100:.1f} %", flush=True)
    result["floor"] = r = run_floor(folder, args.resolution, args.samples)
    print(f"  floor (one bare Blender script): wall {r['wall_s']:.1f} s, render work {r['render_work_s']:.1f} s, "
          f"overhead {r['overhead_share'] * 100:.1f} %", flush=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
