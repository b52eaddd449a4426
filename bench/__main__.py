"""`python -m bench` (`make bench`): every benchmark, then bench/results/report.md, printed.

    python -m bench [--parts mesh,redo,live,batch,throughput,throughput-levels,animation,memory,quality,optics,gpu]
                    [--quick]

--quick shrinks every part (for trying the benchmarks out); its report says so, and its
figures are not the targets' figures.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass

from . import report
from .paths import RESULTS, ROOT, result_path


@dataclass(frozen=True)
class Part:
    """One benchmark: its module's command line, full and --quick, and the JSON files it writes
    (report.SECTIONS reads them). A new benchmark is one entry here and one section there."""
    full: list[str]
    quick: list[str]
    outputs: tuple[str, ...]


PARTS: dict[str, Part] = {
    "mesh": Part(["-m", "bench.mesh_build"], ["-m", "bench.mesh_build", "--sizes", "1k,10k,100k", "--scale", "0.4"],
                 ("mesh_build.json",)),
    "redo": Part(["-m", "bench.redo"], ["-m", "bench.redo", "--rounds", "3"], ("redo.json",)),
    "live": Part(["-m", "bench.live_edit"], ["-m", "bench.live_edit", "--rounds", "3"], ("live_edit.json",)),
    "batch": Part(["-m", "bench.batch_overhead"],
                  ["-m", "bench.batch_overhead", "--resolution", "160x90", "--samples", "8"], ("batch_overhead.json",)),
    "throughput": Part(["-m", "bench.throughput"], ["-m", "bench.throughput", "--rounds", "1"], ("throughput.json",)),
    "throughput-levels": Part(["-m", "bench.throughput", "--levels"],
                              ["-m", "bench.throughput", "--levels", "--rounds", "1"], ("throughput_levels.json",)),
    "animation": Part(["-m", "bench.animation"], ["-m", "bench.animation", "--rounds", "1"], ("animation.json",)),
    "memory": Part(["-m", "bench.session_memory"], ["-m", "bench.session_memory", "--jobs", "30"],
                   ("session_memory.json",)),
    "quality": Part(["-m", "bench.time_to_quality", "--device", "cpu"],
                    ["-m", "bench.time_to_quality", "--device", "cpu", "--reference-samples", "128",
                     "--ours-samples", "16", "--blender-samples", "64", "--mixed-samples", ""],
                    ("time_to_quality_cpu.json",)),
    "optics": Part(["-m", "bench.optics"],
                   ["-m", "bench.optics", "--height", "80", "--resolutions", "own",
                    "--tessellations", "level 3,level 4,adaptive R/200", "--studio-resolution", "320x180",
                    "--repeats", "1"], ("optics.json",)),
    # the probe, then (where it finds a GPU) the quality part's command on device auto
    "gpu": Part(["-m", "bench.gpu_probe"], ["-m", "bench.gpu_probe"], ("gpu_probe.json", "time_to_quality_gpu.json")),
}


def run_part(args: list[str]) -> bool:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT)
    if proc.returncode != 0:
        print(f"bench: {' '.join(args)} failed with exit code {proc.returncode}", file=sys.stderr)
    return proc.returncode == 0


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def load_average() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (not the targets' figures)")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    os.makedirs(RESULTS, exist_ok=True)
    for part in parts:
        for name in PARTS[part].outputs:
            if os.path.isfile(result_path(name)):
                os.remove(result_path(name))
    for stale in glob.glob(os.path.join(RESULTS, "*.png")):
        os.remove(stale)
    start = time.time()
    load_before = load_average()
    def command(part: str) -> list[str]:
        return PARTS[part].quick if args.quick else PARTS[part].full

    failed = []
    for part in parts:
        print(f"bench: {part}", flush=True)
        if not run_part(command(part)):
            failed.append(part)
            continue
        if part == "gpu":
            with open(result_path("gpu_probe.json")) as fh:
                if json.load(fh).get("gpu"):
                    extra = command("quality")[4:]  # what follows "--device cpu"
                    if not run_part(["-m", "bench.time_to_quality", "--device", "auto", *extra]):
                        failed.append(part)
    elapsed = time.time() - start
    header = [
        "# Benchmarks (`make bench`)" + (" - QUICK RUN: not the targets' figures" if args.quick else ""),
        "",
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, commit {git_commit()}. Machine: {machine()}; load average "
        f"(1/5/15 min) {load_before} at the start, {load_average()} at the end (a shared machine: every figure "
        f"below is a ratio of timings taken in the same run). Whole run: {elapsed / 60:.1f} min.",
    ]
    if failed:
        header.append(f"\n**Parts that failed: {', '.join(failed)}** (see the output above).")
    text = report.build(header)
    print(text)
    print(f"bench: report in {os.path.relpath(result_path('report.md'), ROOT)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
