"""Throughput of many small renders: the runners against a floor measured in the same run.

The batch: the 12-job sweep arc_segments = [8, 12, 16, 24] x rows = [4, 8, 16], 64x36,
4 samples, no denoising, on the CPU (a CPU rendering tiny images stands in for a GPU: on a
GPU everything but sampling is what a batch waits for). Contact sheets are off: the floor
writes none.

- floor: one process that builds the studio once, turns on Cycles' persistent data, and
  per job swaps only the mesh, renders and saves the PNG (process start included);
- local: `python -m render_jobs render` (one render session for the batch);
- workers: `render --workers 2` (a local Dask cluster, its start included);
- scheduler: `render --scheduler` to an already running scheduler with 2 one-thread
  workers on 127.0.0.1, first on workers that have rendered nothing yet (their render
  sessions start during the batch: "cold"), then again (sessions running: "warm");
- scheduler, preloaded: the same to 2 new workers started with the README's optional
  `--preload scurve_addon.render_jobs.worker_preload` (sessions started with the workers,
  nothing rendered yet).

Each contender runs `rounds` times, interleaved (bench/timing.py); every figure is a
ratio to the floor's time in the same round. Targets: local
<= 1.3x, scheduler <= 1.5x (each of the three), workers <= 2.5x.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from scurve_addon.defaults import SurfaceParams

from . import fits
from .paths import ROOT, result_path
from .timing import Samples, paired_ratio

TARGETS = {"local": 1.3, "scheduler_cold": 1.5, "scheduler_warm": 1.5, "scheduler_preloaded": 1.5, "workers": 2.5}
PRELOAD = "scurve_addon.render_jobs.worker_preload"
ARC_SEGMENTS, ROWS = (8, 12, 16, 24), (4, 8, 16)  # the sweep, in JOB and FLOOR
JOB = f"""\
# Written by bench/throughput.py: many small renders.
[output]
contact_sheet = false
[render]
resolution = [64, 36]
samples = 4
denoise = false
device = "cpu"
[[job]]
name = "small"
[job.surface]
arc_segments = {list(ARC_SEGMENTS)}
rows = {list(ROWS)}
"""

FLOOR = r'''
import os, sys, time
sys.path.insert(0, os.environ["SCURVE_ROOT"])
import bpy
import scurve_addon
from scurve_addon import build, geometry, mesh_data
from scurve_addon.defaults import RenderParams, SceneParams, SurfaceParams
from scurve_addon.scene import setup_studio_scene
out = sys.argv[1]
bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
context = bpy.context
render = RenderParams(resolution=(64, 36), samples=4, denoise=False, device="cpu")
ADAPTIVE = @ADAPTIVE@  # written in by prepare(): adaptive subdivision, or render levels
surface = build.build_mirror(context, SurfaceParams(adaptive_subdivision=ADAPTIVE))
setup_studio_scene(context, SceneParams(), surface=surface, render=render)
scene = context.scene
scene.cycles.device = "CPU"
scene.render.use_persistent_data = True
scene.render.image_settings.file_format = "PNG"
for n in @ARCS@:
    for rows in @ROWS@:
        grid = geometry.full_surface(SurfaceParams(arc_segments=n, rows=rows, adaptive_subdivision=ADAPTIVE))
        mesh_data.write_mesh(surface.data, grid.verts, grid.loops, grid.starts)
        surface.update_tag(refresh={"DATA"})
        bpy.ops.render.render(write_still=False)
        bpy.data.images["Render Result"].save_render(filepath=os.path.join(out, f"small_{n}_{rows}.png"), scene=scene)
'''


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e["SCURVE_ROOT"] = ROOT
    return e


def run(command: list[str], out: str) -> float:
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])}... failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n"
                           f"{proc.stderr[-2000:]}")
    pngs = [n for n in os.listdir(out) if n.endswith(".png")]
    if len(pngs) != 12:
        raise RuntimeError(f"{' '.join(command[:6])}...: {len(pngs)} images, not 12")
    return seconds


@contextlib.contextmanager
def cluster(folder: str, preload: bool = False):
    """A scheduler and two one-thread workers on 127.0.0.1 (as the README starts them), with
    the worker preload (render sessions started with the workers) if `preload`."""
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    os.makedirs(folder, exist_ok=True)
    scheduler_file = os.path.join(folder, "scheduler.json")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", scheduler_file], env=env(), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 120
        while not os.path.isfile(scheduler_file):
            if time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start")
            time.sleep(0.1)
        time.sleep(0.2)
        with open(scheduler_file) as fh:
            address = json.load(fh)["address"]
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--name", name, "--host",
                                           "127.0.0.1", "--no-dashboard", "--local-directory",
                                           os.path.join(folder, name),
                                           *(["--preload", PRELOAD] if preload else [])], env=env(), cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def prepare(prefix: str, job_name: str, job_text: str, adaptive: bool = True) -> tuple[str, str, str]:
    """A temporary folder holding the job file and the floor's script: (folder, job, floor).
    `adaptive` False: both render the mirror at its render levels (adaptive subdivision off)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    job_file = os.path.join(folder, job_name)
    with open(job_file, "w") as fh:
        fh.write(job_text + ("" if adaptive else "[surface]\nadaptive_subdivision = false\n"))
    floor_script = os.path.join(folder, "floor.py")
    with open(floor_script, "w") as fh:
        fh.write(FLOOR.replace("@ADAPTIVE@", repr(adaptive)).replace("@ARCS@", repr(ARC_SEGMENTS))
                 .replace("@ROWS@", repr(ROWS)))
    return folder, job_file, floor_script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", action="store_true",
                        help="adaptive subdivision off (render levels, as on 4.2 and 4.5): the sweep as the "
                             "issue measured it before 5.0's adaptive default (which dices each new surface)")
    parser.add_argument("--out", default=None, help="default: throughput.json (throughput_levels.json with --levels)")
    args = parser.parse_args()
    args.out = args.out or result_path("throughput_levels.json" if args.levels else "throughput.json")
    folder, job_file, floor_script = prepare("scurve-throughput-", "small.toml", JOB, adaptive=not args.levels)
    fit_cache = fits.fill([SurfaceParams(arc_segments=n, rows=rows) for n in ARC_SEGMENTS for rows in ROWS])
    render = [sys.executable, "-m", "render_jobs", "render", job_file, "--force", "--out"]
    samples = {name: Samples() for name in ("floor", "local", "workers", "scheduler_cold", "scheduler_warm",
                                            "scheduler_preloaded")}
    try:
        for r in range(args.rounds):
            samples["floor"].seconds.append(run([sys.executable, floor_script, os.path.join(folder, "floor")],
                                                os.path.join(folder, "floor")))
            samples["local"].seconds.append(run([*render, os.path.join(folder, "local")],
                                                os.path.join(folder, "local")))
            samples["workers"].seconds.append(run([*render, os.path.join(folder, "workers"), "--workers", "2"],
                                                  os.path.join(folder, "workers")))
            with cluster(os.path.join(folder, f"cluster{r}")) as address:
                for warmth in ("cold", "warm"):
                    out = os.path.join(folder, f"scheduler_{warmth}")
                    samples[f"scheduler_{warmth}"].seconds.append(run([*render, out, "--scheduler", address], out))
            with cluster(os.path.join(folder, f"preloaded{r}"), preload=True) as address:
                out = os.path.join(folder, "scheduler_preloaded")
                samples["scheduler_preloaded"].seconds.append(run([*render, out, "--scheduler", address], out))
            print(f"  round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {v.seconds[-1]:.2f} s"
                                                               for k, v in samples.items()), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {"jobs": 12, "resolution": [64, 36], "samples": 4, "rounds": args.rounds,
              "tessellation": "render levels" if args.levels else "default (adaptive subdivision on 5.0)",
              "fit_cache": fit_cache,
              "seconds": {k: v.as_dict() for k, v in samples.items()},
              "ratio_to_floor": {k: paired_ratio(v, samples["floor"]) for k, v in samples.items() if k != "floor"},
              "targets": TARGETS}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    for name, ratio in result["ratio_to_floor"].items():
        print(f"  {name}: {ratio['median']:.2f}x the floor (target <= {TARGETS[name]}x)", flush=True)


if __name__ == "__main__":
    main()
