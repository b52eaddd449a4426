"""Part 2: the share of a batch's wall time that is not Cycles sampling.

Local runner: a batch of small renders (640x360, the default samples; two jobs that
differ only in the seed) through `python -m render_jobs render` in a fresh process (via
bench.run_render_jobs, which is the same CLI plus a RenderProbe). Wall time runs from
starting the process to its exit; sampling time is Cycles' own path tracing, taken from
its render_stats messages. Everything else, process start and bpy import, scene reset,
mesh and studio build, quality measurement, Cycles' sync (BVH, sky texture) and
denoising, image and sidecar writing, is the overhead, itemised from the sidecars'
`timings` and the probe. Cycles sends no message when its sampling ends and the
denoiser starts, so the denoiser's cost is calibrated apart (bench.denoise_cost) and
taken out of the probe's sampling span.

Dask runner: measured the same way once render_jobs has one (see dask_runner()).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

from .paths import ROOT, result_path

RESOLUTION = "640x360"
SEEDS = (1, 2)
TARGET_SHARE = 0.05
LAPS = ("reset", "build_surface", "studio_scene", "device", "measure", "render", "write_image")


def write_job_file(folder: str, resolution: str, samples: int | None) -> str:
    path = os.path.join(folder, "overhead.toml")
    lines = ["# Written by bench/batch_overhead.py: small renders that differ only in the seed.",
             "[render]", f'resolution = "{resolution}"', f"seed = [{', '.join(str(s) for s in SEEDS)}]"]
    if samples is not None:
        lines.append(f"samples = {samples}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def dask_runner() -> str | None:
    """The Dask runner's module in render_jobs, if there is one yet."""
    found = sorted(glob.glob(os.path.join(ROOT, "render_jobs", "*dask*.py")))
    return found[0] if found else None


def calibrate_denoise(folder: str, resolution: str, when: str) -> dict:
    """bench.denoise_cost in its own process, on the device render_jobs picks by default."""
    path = os.path.join(folder, f"denoise_cost_{when}.json")
    proc = subprocess.run([sys.executable, "-m", "bench.denoise_cost", "--resolution", resolution, "--pairs", "1",
                           "--out", path], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"denoise calibration failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with open(path) as fh:
        return json.load(fh)


def run_local(folder: str, resolution: str, samples: int | None) -> dict:
    os.makedirs(folder, exist_ok=True)
    out_dir = os.path.join(folder, "out")
    shutil.rmtree(out_dir, ignore_errors=True)
    job_file = write_job_file(folder, resolution, samples)
    probe_path = os.path.join(folder, "probe.json")
    env = dict(os.environ, SCURVE_BENCH_PROBE=probe_path)
    before = calibrate_denoise(folder, resolution, "before")
    launched = time.time()
    proc = subprocess.run([sys.executable, "-m", "bench.run_render_jobs", "render", job_file, "--out", out_dir,
                           "--force"], cwd=ROOT, env=env, capture_output=True, text=True)
    exited = time.time()
    after = calibrate_denoise(folder, resolution, "after")
    denoise = {**before, "denoise_s": (before["denoise_s"] + after["denoise_s"]) / 2,
               "span_on_s": before["span_on_s"] + after["span_on_s"],
               "span_off_s": before["span_off_s"] + after["span_off_s"],
               "bracket_s": [before["denoise_s"], after["denoise_s"]]}
    if proc.returncode != 0:
        raise RuntimeError(f"render_jobs failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    with open(probe_path) as fh:
        probe = json.load(fh)
    sidecars = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
        with open(path) as fh:
            data = json.load(fh)
        if "timings" in data:
            sidecars.append(data)
    return summarise(launched, exited, probe, sidecars, denoise)


def summarise(launched: float, exited: float, probe: dict, sidecars: list[dict], denoise: dict) -> dict:
    renders = probe["renders"]
    if len(renders) != len(sidecars):
        raise RuntimeError(f"{len(sidecars)} sidecars but {len(renders)} renders seen by the probe")
    # The probe's span runs to the last "Sample" message, which Cycles sends after denoising.
    for s, r in zip(sidecars, renders, strict=True):
        r["denoise_s"] = min(denoise["denoise_s"], r["sampling_s"]) if s["samples"]["denoise"] else 0.0
        r["sampling_s"] -= r["denoise_s"]
    wall = exited - launched
    sampling = sum(r["sampling_s"] for r in renders)
    # The share with the calibration from before and from after the batch: its spread.
    spans = sum(r["sampling_s"] + r["denoise_s"] for r in renders)
    denoised = sum(1 for s in sidecars if s["samples"]["denoise"])
    share_range = sorted(1.0 - min(spans, spans - denoised * d) / wall for d in denoise.get("bracket_s", []))
    jobs_total = sum(s["timings"]["total"] for s in sidecars)
    parts = {
        "process start and bpy import": probe["bpy_imported"] - launched,
        "batch set-up, plan, devices, contact sheet": (probe["cli_returned"] - probe["bpy_imported"]) - jobs_total,
        "process exit": exited - probe["cli_returned"],
    }
    for lap in LAPS:
        if lap != "render":
            parts[f"job: {lap}"] = sum(s["timings"].get(lap, 0.0) for s in sidecars)
    parts["job: sidecar and the rest"] = sum(
        s["timings"]["total"] - sum(s["timings"].get(k, 0.0) for k in LAPS) for s in sidecars)
    parts["render: Cycles sync (scene, BVH, images)"] = sum(r["sync_s"] for r in renders)
    parts["render: denoising (calibrated, see below)"] = sum(r["denoise_s"] for r in renders)
    parts["render: after the last status message"] = sum(r["post_s"] for r in renders)
    parts["render: outside Cycles' render handlers"] = sum(
        s["timings"]["render"] - r["render_s"] for s, r in zip(sidecars, renders, strict=True))
    jobs = []
    for s, r in zip(sidecars, renders, strict=True):
        total = s["timings"]["total"]
        jobs.append({"name": s["job"]["name"], "total_s": total, "sampling_s": r["sampling_s"],
                     "sync_s": r["sync_s"], "denoise_s": r["denoise_s"], "post_s": r["post_s"],
                     "slowest_sync_step": r["slowest_sync_step"],
                     "overhead_share": 1.0 - r["sampling_s"] / total, "timings": s["timings"],
                     "device": s.get("device"), "samples": s.get("samples"),
                     "resolution": [s["image"]["width"], s["image"]["height"]]})
    return {"wall_s": wall, "sampling_s": sampling, "overhead_share": 1.0 - sampling / wall,
            "overhead_share_range": share_range,
            "overhead_parts_s": parts, "unaccounted_s": wall - sampling - sum(parts.values()),
            "jobs": jobs, "target_share": TARGET_SHARE, "denoise_calibration": denoise}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default=RESOLUTION)
    parser.add_argument("--samples", type=int, default=None, help="default: RenderParams' default samples")
    parser.add_argument("--out", default=result_path("batch_overhead.json"))
    args = parser.parse_args()
    folder = result_path("batch_overhead")
    result = {"resolution": args.resolution, "samples": args.samples,
              "local": run_local(folder, args.resolution, args.samples)}
    runner = dask_runner()
    result["dask"] = ({"measured": False, "why": "not measured: no Dask runner yet"} if runner is None else
                      {"measured": False, "why": f"not measured: {os.path.relpath(runner, ROOT)} appeared after "
                                                 "this benchmark was written; its interface is not wired in yet"})
    local = result["local"]
    print(f"  local runner: {len(local['jobs'])} jobs, wall {local['wall_s']:.1f} s, sampling "
          f"{local['sampling_s']:.1f} s, overhead {local['overhead_share'] * 100:.1f} % (denoising "
          f"{local['denoise_calibration']['denoise_s']:.1f} s per image, calibrated)", flush=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
