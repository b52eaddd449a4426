"""Part 2: the share of a batch's wall time that is not Cycles sampling.

A batch of small renders (640x360, the default samples; two jobs that differ only in the
seed), run by each runner in a fresh process, one render at a time:

- local: `python -m render_jobs render` (via bench.run_render_jobs: the same CLI plus a
  RenderProbe in its process);
- Dask: `python -m render_jobs render --workers 1` (a local Dask cluster of one worker,
  which renders each job in its own `_render-job` process; bench/probe_site puts a
  RenderProbe in those processes).

Wall time runs from starting the runner's process to its exit; sampling time is Cycles'
own path tracing, from its render_stats messages. Everything else, process and cluster
start, bpy import, scene reset, mesh and studio build, quality measurement, Cycles' sync
(BVH, sky texture), denoising, image and sidecar writing, is the overhead, itemised from
the sidecars' `timings` and the probes. Cycles sends no message when its sampling ends and
the denoiser starts, so the denoiser's cost is calibrated apart (bench.denoise_cost, just
before, between and after the runs) and taken out of the probe's sampling span.
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
PROBE_SITE = os.path.join(ROOT, "bench", "probe_site")


def write_job_file(folder: str, resolution: str, samples: int | None) -> str:
    path = os.path.join(folder, "overhead.toml")
    lines = ["# Written by bench/batch_overhead.py: small renders that differ only in the seed.",
             "[render]", f'resolution = "{resolution}"', f"seed = [{', '.join(str(s) for s in SEEDS)}]"]
    if samples is not None:
        lines.append(f"samples = {samples}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def has_dask_runner() -> bool:
    """Whether render_jobs can run a batch on Dask (`render --workers N`) here."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return os.path.isfile(os.path.join(ROOT, "render_jobs", "cluster.py"))


def calibrate_denoise(folder: str, resolution: str, when: str) -> dict:
    """bench.denoise_cost in its own process, on the device render_jobs picks by default."""
    path = os.path.join(folder, f"denoise_cost_{when}.json")
    proc = subprocess.run([sys.executable, "-m", "bench.denoise_cost", "--resolution", resolution, "--pairs", "1",
                           "--out", path], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"denoise calibration failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with open(path) as fh:
        return json.load(fh)


def combine_calibrations(calibrations: list[dict]) -> dict:
    values = [c["denoise_s"] for c in calibrations]
    return {**calibrations[0], "denoise_s": sum(values) / len(values), "bracket_s": values,
            "span_on_s": [v for c in calibrations for v in c["span_on_s"]],
            "span_off_s": [v for c in calibrations for v in c["span_off_s"]]}


def read_sidecars(out_dir: str) -> dict[str, dict]:
    out = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
        with open(path) as fh:
            data = json.load(fh)
        if "timings" in data:
            out[data["job"]["name"]] = data
    return out


def start(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    launched = time.time()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    exited = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-3000:]}")
    return launched, exited, proc.stdout


def run_local(folder: str, job_file: str) -> tuple[float, float, list[tuple[dict, dict]], dict[str, float]]:
    out_dir = os.path.join(folder, "local_out")
    shutil.rmtree(out_dir, ignore_errors=True)
    probe_path = os.path.join(folder, "local_probe.json")
    env = dict(os.environ, SCURVE_BENCH_PROBE=probe_path)
    launched, exited, _ = start([sys.executable, "-m", "bench.run_render_jobs", "render", job_file, "--out", out_dir,
                                 "--force"], env)
    with open(probe_path) as fh:
        probe = json.load(fh)
    sidecars = list(read_sidecars(out_dir).values())
    renders = probe["renders"]
    if len(renders) != len(sidecars):
        raise RuntimeError(f"{len(sidecars)} sidecars but {len(renders)} renders seen by the probe")
    jobs_total = sum(s["timings"]["total"] for s in sidecars)
    fixed = {"process start and bpy import": probe["bpy_imported"] - launched,
             "batch set-up, plan, devices, contact sheet": (probe["cli_returned"] - probe["bpy_imported"])
             - jobs_total,
             "process exit": exited - probe["cli_returned"]}
    return launched, exited, list(zip(sidecars, renders, strict=True)), fixed


def run_dask(folder: str, job_file: str) -> tuple[float, float, list[tuple[dict, dict]], dict[str, float]]:
    out_dir = os.path.join(folder, "dask_out")
    probes = os.path.join(folder, "dask_probes")
    for path in (out_dir, probes):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(probes)
    pythonpath = os.pathsep.join(p for p in (PROBE_SITE, ROOT, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=pythonpath, SCURVE_BENCH_PROBE_DIR=probes)
    launched, exited, _ = start([sys.executable, "-m", "render_jobs", "render", job_file, "--out", out_dir,
                                 "--force", "--workers", "1"], env)
    sidecars = read_sidecars(out_dir)
    pairs = []
    job_process = 0.0
    for path in sorted(glob.glob(os.path.join(probes, "probe-*.json"))):
        with open(path) as fh:
            probe = json.load(fh)
        name = next((a for a in probe["argv"][1:] if a in sidecars), None)
        if name is None or len(probe["renders"]) != 1:
            raise RuntimeError(f"{path}: cannot match {probe['argv']} ({len(probe['renders'])} renders) to a job")
        pairs.append((sidecars[name], probe["renders"][0]))
        job_process += probe["render_imported"] - probe["python_started"]
    if len(pairs) != len(sidecars):
        raise RuntimeError(f"{len(sidecars)} sidecars but {len(pairs)} job processes seen by the probe")
    jobs_total = sum(s["timings"]["total"] for s, _ in pairs)
    fixed = {"job processes: start and bpy import": job_process,
             "cluster start, scheduling, events, checks, exit": (exited - launched) - jobs_total - job_process}
    return launched, exited, pairs, fixed


def summarise(launched: float, exited: float, pairs: list[tuple[dict, dict]], fixed: dict[str, float],
              denoise: dict) -> dict:
    # The probe's span runs to the last "Sample" message, which Cycles sends after denoising.
    for s, r in pairs:
        r["denoise_s"] = min(denoise["denoise_s"], r["sampling_s"]) if s["samples"]["denoise"] else 0.0
        r["sampling_s"] -= r["denoise_s"]
    wall = exited - launched
    sampling = sum(r["sampling_s"] for _, r in pairs)
    # The share with each calibration (before / between / after): its spread.
    spans = sum(r["sampling_s"] + r["denoise_s"] for _, r in pairs)
    denoised = sum(1 for s, _ in pairs if s["samples"]["denoise"])
    share_range = sorted(1.0 - min(spans, spans - denoised * d) / wall for d in denoise.get("bracket_s", []))
    parts = dict(fixed)
    for lap in LAPS:
        if lap != "render":
            parts[f"job: {lap}"] = sum(s["timings"].get(lap, 0.0) for s, _ in pairs)
    parts["job: sidecar and the rest"] = sum(
        s["timings"]["total"] - sum(s["timings"].get(k, 0.0) for k in LAPS) for s, _ in pairs)
    parts["render: Cycles sync (scene, BVH, images)"] = sum(r["sync_s"] for _, r in pairs)
    parts["render: denoising (calibrated, see below)"] = sum(r["denoise_s"] for _, r in pairs)
    parts["render: after the last status message"] = sum(r["post_s"] for _, r in pairs)
    parts["render: outside Cycles' render handlers"] = sum(s["timings"]["render"] - r["render_s"] for s, r in pairs)
    jobs = []
    for s, r in sorted(pairs, key=lambda p: p[0]["job"]["name"]):
        total = s["timings"]["total"]
        jobs.append({"name": s["job"]["name"], "total_s": total, "sampling_s": r["sampling_s"],
                     "sync_s": r["sync_s"], "denoise_s": r["denoise_s"], "post_s": r["post_s"],
                     "slowest_sync_step": r["slowest_sync_step"],
                     "overhead_share": 1.0 - r["sampling_s"] / total, "timings": s["timings"],
                     "device": s.get("device"), "samples": s.get("samples"),
                     "resolution": [s["image"]["width"], s["image"]["height"]]})
    return {"measured": True, "wall_s": wall, "sampling_s": sampling, "overhead_share": 1.0 - sampling / wall,
            "overhead_share_range": share_range, "overhead_parts_s": parts, "jobs": jobs,
            "target_share": TARGET_SHARE, "denoise_calibration": denoise}


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
    runners = [r for r in args.runners.split(",") if r]
    dask_here = has_dask_runner()
    if "dask" in runners and not dask_here:
        runners.remove("dask")
    calibrations = [calibrate_denoise(folder, args.resolution, "before")]
    runs = {}
    for i, runner in enumerate(runners):
        runs[runner] = (run_local if runner == "local" else run_dask)(folder, job_file)
        calibrations.append(calibrate_denoise(folder, args.resolution, "after" if i == len(runners) - 1 else
                                              f"after_{runner}"))
    denoise = combine_calibrations(calibrations)
    result: dict = {"resolution": args.resolution, "samples": args.samples}
    for runner, run in runs.items():
        result[runner] = summarise(*run, denoise)
        r = result[runner]
        print(f"  {runner} runner: {len(r['jobs'])} jobs, wall {r['wall_s']:.1f} s, sampling {r['sampling_s']:.1f} s, "
              f"overhead {r['overhead_share'] * 100:.1f} % (denoising {denoise['denoise_s']:.1f} s per image, "
              "calibrated)", flush=True)
    if "dask" not in runs:
        result["dask"] = {"measured": False, "why": "not measured: no Dask runner yet" if not dask_here
                          else "not measured: not asked for (--runners)"}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
