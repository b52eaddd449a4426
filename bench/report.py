"""The Markdown report (bench/results/report.md) and its plots, from the parts' JSON files.

The report is a table of targets, then one section per entry of SECTIONS, numbered in that
order. A section is a function that gets the Report (to add target rows and plots) and the
parsed JSON files it names (None for a file the run did not write), and returns its
Markdown lines, without the heading. Adding a benchmark's section is one function and one
line in SECTIONS:

    def throughput(report: Report, data: dict | None) -> list[str]: ...
    Section("Session throughput", ("throughput.json",), throughput),
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import plot
from .paths import result_path

MESH_TARGET = 1.3
MESH_CONTENDERS = {"product": "product (full_surface + new_mesh)", "floor": "floor (foreach_set only)",
                   "from_pydata": "Mesh.from_pydata", "attributes": "attributes (buffer copy)"}
QUALITY_CONFIGS = {"ours": "ours (RenderParams)", "blender": "Blender's defaults",
                   "mixed": "Blender's sampling, studio light paths"}


def load(name: str) -> dict | None:
    path = result_path(name)
    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def status(met: bool | None, gap: str = "") -> str:
    if met is None:
        return "not measured"
    return "**met**" if met else f"**not met** ({gap})"


def ms(seconds: float) -> str:
    v = seconds * 1e3
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


class Report:
    """What the sections add beyond their text: the rows of the targets table."""

    def __init__(self) -> None:
        self.targets: list[tuple[str, str, str]] = []

    def target(self, what: str, measured: str, verdict: str) -> None:
        self.targets.append((what, measured, verdict))

    def markdown(self, header: list[str], sections: list[str]) -> str:
        lines = header + ["", "## Targets", "", "| target | measured | status |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in self.targets]
        return "\n".join(lines + [""] + ["\n\n".join(sections), ""])


# ---- sections ------------------------------------------------------------------
def mesh(report: Report, data: dict | None, redo: dict | None) -> list[str]:
    lines: list[str] = []
    if data is None:
        lines.append("Not run.")
        report.target(f"Mesh building at 1M vertices within {MESH_TARGET}x of the floor", "not run",
                      status(None))
    else:
        t = data["timings"]
        lines += [
            "New mesh datablock, same vertices/corners/faces, ending with `mesh.update(calc_edges=True)`. "
            "**product** = `geometry.full_surface(params)` + `mesh_data.new_mesh(...)` "
            "(`build.surface_mesh`, what `scurve.build_mirror` does before modifier and material); "
            "**floor** = the same arrays precomputed and written with `vertices/loops/polygons.foreach_set` "
            "only; **from_pydata** = `Mesh.from_pydata` on the same data as Python lists "
            "(`shade_flat=False`, so the same mesh); **attributes** = the precomputed arrays through "
            "`mesh.attributes['position'/'.corner_vert']` (for information: a lower floor than the RNA one). "
            "Ratios are medians of per-round ratios (rounds interleaved), with the ratio of the minima.",
            "",
            "| size | vertices | rounds | floor median ms | product / floor | from_pydata / floor "
            "| attributes / floor | same mesh |",
            "|---|---:|---:|---:|---:|---:|---:|:---:|",
        ]
        for label, v in t.items():
            r = v["ratio_to_floor"]
            cell = {k: f"{r[k]['median']:.2f}x (min {r[k]['of_min']:.2f}x)" for k in r}
            lines.append(f"| {label} | {v['vertices']:,} | {r['product']['rounds']} | "
                         f"{ms(v['samples']['floor']['median'])} | {cell['product']} | {cell['from_pydata']} | "
                         f"{cell['attributes']} | {'yes' if v['same_mesh'] else 'NO'} |")
        mem = data.get("memory", {})
        if mem:
            lines += ["", "Peak memory of one build, each in a fresh process: tracemalloc (Python and numpy "
                      "allocations) and the resident set (Blender's own allocations too; VmHWM reset through "
                      "/proc/self/clear_refs). The floor and from_pydata get their arrays/lists ready-made "
                      "before the measurement; the product computes them inside it.", "",
                      "| size | contender | tracemalloc peak MiB | RSS peak MiB | RSS / floor's |",
                      "|---|---|---:|---:|---:|"]
            for label, per in mem.items():
                floor_rss = per["floor"]["rss_peak_mib"]
                for name, m in per.items():
                    rel = m["rss_peak_mib"] / floor_rss if floor_rss > 0 else math.nan
                    lines.append(f"| {label} | {name} | {m['tracemalloc_peak_mib']:.1f} | "
                                 f"{m['rss_peak_mib']:.1f} | {rel:.2f}x |")
        top = t.get("1M")
        if top:
            r = top["ratio_to_floor"]["product"]["median"]
            report.target(f"Mesh building at 1M vertices within {MESH_TARGET}x of the floor",
                          f"product/floor {r:.2f}x (from_pydata/floor "
                          f"{top['ratio_to_floor']['from_pydata']['median']:.2f}x)",
                          status(r <= MESH_TARGET, f"{r / MESH_TARGET:.2f}x over the target"))
        mesh_plot(t)
        lines += ["", "![Mesh build time and its ratio to the floor, against the vertex count](mesh_build.png)"]
    lines += ["", "### Redo of scurve.build_mirror", ""]
    if redo is None:
        lines.append("Not run.")
    else:
        budget = redo["budget_ms"]
        lines += [f"One call of the operator from the undone (empty) scene; \"with evaluation\" adds the "
                  f"depsgraph evaluation that shows the result (Subdivision Surface at the viewport level). "
                  f"Against an interactive budget of {budget:.0f} ms. Background mode has no undo step to "
                  "time.", "",
                  "| resolution | control vertices | operator ms (median, min) | of budget "
                  "| with evaluation ms (median, min) | of budget |",
                  "|---|---:|---:|---:|---:|---:|"]
        for case, v in redo["cases"].items():
            op, ev = v["operator"], v["operator+evaluation"]
            lines.append(f"| {case} ({v['arc_segments']} arc segments x {v['rows']} rows) | {v['vertices']:,} | "
                         f"{op['median_ms']:.1f} ({op['min_ms']:.1f}) | {op['of_budget']:.2f}x | "
                         f"{ev['median_ms']:.1f} ({ev['min_ms']:.1f}) | {ev['of_budget']:.2f}x |")
            report.target(f"Redo at {case} resolution within {budget:.0f} ms (operator + evaluation)",
                          f"{ev['median_ms']:.0f} ms = {ev['of_budget']:.2f}x the budget "
                          f"(operator alone {op['median_ms']:.0f} ms)",
                          status(ev["of_budget"] <= 1.0, f"{ev['of_budget']:.1f}x the budget"))
    return lines


def mesh_plot(t: dict) -> None:
    """Two panels against the vertex count: build time, and the ratio to the floor with the target."""
    fig, (times, ratios) = plot.figure(2, "Building the surface mesh (new datablock, medians of interleaved rounds)")
    vertices = [v["vertices"] for v in t.values()]
    for index, name in enumerate(MESH_CONTENDERS):
        times_ms = [v["samples"][name]["median"] * 1e3 for v in t.values()]
        plot.series(times, vertices, times_ms, MESH_CONTENDERS[name], index)
        plot.series(ratios, vertices, [v["ratio_to_floor"][name]["median"] for v in t.values()],
                    MESH_CONTENDERS[name], index)
    times.set_xscale("log")
    times.set_yscale("log")
    times.set_ylabel("build time (ms, log scale)")
    times.set_title("Time", fontsize=10)
    plot.target_hline(ratios, MESH_TARGET, f"target: product within {MESH_TARGET:g}x the floor")
    ratios.set_xscale("log")
    ratios.set_ylim(0, max(MESH_TARGET * 1.25, *(v["ratio_to_floor"][n]["median"] * 1.1
                                                  for v in t.values() for n in MESH_CONTENDERS)))
    ratios.set_ylabel("time / floor's time (ratio)")
    ratios.set_title("Relative to the floor", fontsize=10)
    plot.plain_log_ticks(times, "y")
    for ax in (times, ratios):
        plot.plain_log_ticks(ax)
        ax.set_xlabel("vertices (log scale)")
    plot.legend_below(fig, (times, ratios))
    plot.save(fig, result_path("mesh_build.png"))


def batch(report: Report, data: dict | None) -> list[str]:
    lines: list[str] = []
    runners = {"local": "local", "dask": "Dask"}
    if data is None:
        lines.append("Not run.")
        for name in runners.values():
            report.target(f"Batch overhead (640x360, default samples), {name} runner", "not run", status(None))
        return lines
    measured = {k: data[k] for k in runners if data.get(k, {}).get("measured")}
    first = next(iter(measured.values()), None)
    if first is None:
        lines.append("No runner measured.")
        return lines
    job0 = first["jobs"][0]
    res = "x".join(str(v) for v in job0["resolution"])
    at_target = res == "640x360" and data.get("samples") is None
    lines += [f"A batch of {len(first['jobs'])} renders ({res}, {job0['samples']['max']} samples max, "
              f"adaptive {job0['samples']['noise_threshold']:.3g}, denoise {job0['samples']['denoise']}, "
              f"device {job0['device']['backend']}): local = `python -m render_jobs render` (one render session "
              "process); Dask = the same with `--workers 1` (a local cluster of one worker, whose render session "
              "process renders the jobs). Overhead = 1 - render work / wall time from starting the runner to its "
              "exit. Render work is Cycles' span from its first to its last \"Sample\" status message: path "
              "tracing and denoising (Cycles sends its last status after the denoiser; **denoising counts as "
              "render work**). The rest is itemised from the sidecars' `timings` and the probes. The floor, "
              "measured the same way in the same run, is one bare Blender script that imports bpy, builds the "
              "default mirror and studio with persistent data on, and renders and saves the same images: "
              "Blender's import and Cycles' first sync are in every process that renders them. "
              f"{_fit_cache_note(data)}", "",
              "Beyond the floor: the runner's overhead seconds less the floor's, and that as a share of the "
              "runner's wall time (render work varies by several % between runs on a shared machine; the "
              "overhead seconds of the two compare directly).", "",
              "| runner | jobs | wall s | render work s | overhead share | beyond the floor | target |",
              "|---|---:|---:|---:|---:|---:|---|"]
    floor = data.get("floor", {})
    floor_note = ""
    floor_overhead = None
    if floor.get("measured"):
        floor_overhead = floor["wall_s"] - floor["render_work_s"]
        floor_note = f"; the floor's own share: {floor['overhead_share'] * 100:.1f} %"
        lines.append(f"| floor (bare script) | {floor['renders']} | {floor['wall_s']:.1f} | "
                     f"{floor['render_work_s']:.1f} | {floor['overhead_share'] * 100:.1f} % | - | - |")
    for key, name in runners.items():
        r = data.get(key, {})
        if not r.get("measured"):
            why = r.get("why", "not measured")
            lines.append(f"| {name} | - | - | - | - | - | {why} |")
            report.target(f"Batch overhead (640x360, default samples), {name} runner", why, status(None))
            continue
        share, target = r["overhead_share"], r["target_share"]
        verdict = (status(share <= target, f"{(share - target) * 100:.1f} points over") if at_target
                   else "not measured at the target's 640x360 and default samples")
        beyond = "-"
        if floor_overhead is not None:
            extra = r["wall_s"] - r["render_work_s"] - floor_overhead
            beyond = f"{extra:+.2f} s ({extra / r['wall_s'] * 100:+.1f} %)"
        lines.append(f"| {name} | {len(r['jobs'])} | {r['wall_s']:.1f} | {r['render_work_s']:.1f} | "
                     f"{share * 100:.1f} % | {beyond} | at most {target * 100:.0f} %: {verdict} |")
        report.target(f"Batch overhead at most {target * 100:.0f} % (640x360, default samples), {name} runner",
                      f"{share * 100:.1f} % ({res}, {job0['samples']['max']} samples{floor_note})", verdict)
    parted = {**measured, **({"floor": floor} if floor.get("measured") else {})}
    for key, r in parted.items():
        lines += ["", f"Where the overhead goes, {runners.get(key, 'the floor')}"
                      f"{' runner' if key in runners else ''} (whole batch):", "",
                  "| part | seconds | share of wall |", "|---|---:|---:|"]
        for name, seconds in sorted(r["overhead_parts_s"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {name} | {seconds:.2f} | {seconds / r['wall_s'] * 100:.1f} % |")
        if key not in runners:
            continue
        lines += ["", f"Per job, {runners[key]} runner:", "",
                  "| job | session job | total s | sync s | render work s | overhead share | slowest sync step |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for job in r["jobs"]:
            slow = job["slowest_sync_step"]
            lines.append(f"| {job['name']} | {(job.get('session') or {}).get('job', '?')} | {job['total_s']:.2f} | "
                         f"{job['sync_s']:.2f} | {job['render_work_s']:.2f} | {job['overhead_share'] * 100:.1f} % | "
                         f"{slow['step']} ({slow['seconds']:.2f} s) |")
    return lines


THROUGHPUT_NAMES = {"local": "local runner", "workers": "`--workers 2` (cluster start included)",
                    "scheduler_cold": "`--scheduler`, 2 running workers, sessions not started yet",
                    "scheduler_warm": "`--scheduler`, 2 running workers, sessions running",
                    "scheduler_preloaded": "`--scheduler`, 2 new workers started with the worker preload"}


def throughput(report: Report, data: dict | None, levels: dict | None = None) -> list[str]:
    if data is None:
        for name in THROUGHPUT_NAMES.values():
            report.target(f"Small-render throughput, {name}", "not run", status(None))
        return ["Not run."]
    lines = _throughput_table(report, data, "")
    if levels is not None:
        lines += ["", "### The same with adaptive subdivision off (render levels, as on 4.2 and 4.5)", "",
                  "On 5.0 the mirror is diced adaptively by default, so every new surface of the sweep costs "
                  "Cycles a dicing, in the floor as in the runners: the sweep with render levels is the "
                  "one whose per-job work is closest to the issue's first measurement.", ""]
        lines += _throughput_table(report, levels, ", render levels")
    return lines


def _fit_cache_note(data: dict) -> str:
    """How the contenders got the edge fits (bench/fits.py)."""
    if "fit_cache" not in data:
        return ""
    if data["fit_cache"] is None:
        return "No fit cache: every process fitted the surfaces it built."
    return ("The edge-fit cache was filled before the first run, so every contender, floors included, read "
            "the fits from it (geometry/fit_cache.py; fitting is 0.02-0.25 s per new arc or row count, once "
            "per machine and code version).")


def _throughput_table(report: Report, data: dict, suffix: str) -> list[str]:
    secs = data["seconds"]
    lines = [f"The {data['jobs']}-job sweep arc_segments = [8, 12, 16, 24] x rows = [4, 8, 16], "
             f"{data['resolution'][0]}x{data['resolution'][1]}, {data['samples']} samples, no denoising, CPU "
             "(tiny renders on a CPU stand in for a GPU, where everything but sampling is what a batch waits "
             "for); contact sheets off (the floor writes none). The floor is one process that builds the studio "
             "once, turns on persistent data, and per job swaps only the mesh, renders and saves the PNG, "
             "process start included. Wall times of whole commands, interleaved rounds "
             f"({data['rounds']}); ratios to the floor of the same round, median. {_fit_cache_note(data)}", "",
             f"Floor: {secs['floor']['median']:.2f} s (median; min {secs['floor']['min']:.2f} s).", "",
             "| runner | median s | ratio to floor | target |", "|---|---:|---:|---|"]
    for key, name in THROUGHPUT_NAMES.items():
        if key not in data["ratio_to_floor"]:  # results from before that runner was measured
            lines.append(f"| {name} | - | - | not measured in this run |")
            report.target(f"Small-render throughput, {name}{suffix}", "not run", status(None))
            continue
        ratio = data["ratio_to_floor"][key]["median"]
        target = data["targets"][key]
        verdict = status(ratio <= target, f"{ratio - target:.2f}x over")
        lines.append(f"| {name} | {secs[key]['median']:.2f} | {ratio:.2f}x | at most {target}x: {verdict} |")
        report.target(f"Small-render throughput at most {target}x the floor, {name}{suffix}", f"{ratio:.2f}x",
                      verdict)
    return lines


def animation(report: Report, data: dict | None) -> list[str]:
    what = "Walk-around animation through the local runner"
    if data is None:
        report.target(f"{what} at most 1.5x the floor", "not run", status(None))
        return ["Not run."]
    secs, ratio, target = data["seconds"], data["ratio_to_floor"]["median"], data["target"]
    verdict = status(ratio <= target, f"{ratio - target:.2f}x over")
    report.target(f"{what} at most {target}x the floor", f"{ratio:.2f}x", verdict)
    video = sorted(data["video_seconds"])[len(data["video_seconds"]) // 2]
    return [f"A {data['frames']}-frame orbit ([animation]), {data['resolution'][0]}x{data['resolution'][1]}, "
            f"{data['samples']} samples, no denoising, CPU, through `render --force` (one render session: only "
            "the camera moves between frames; the MP4 and the preview included), against the throughput floor "
            "(one process, the studio built once, 12 renders swapping only the mesh, process start included) in "
            f"the same rounds ({data['rounds']}), median.", "",
            "| | median s | per second | ratio to floor | target |", "|---|---:|---:|---:|---|",
            f"| floor (12 images) | {secs['floor']['median']:.2f} | {data['floor_images_per_second']:.2f} images "
            "| 1.00x | |",
            f"| animation ({data['frames']} frames + video) | {secs['animation']['median']:.2f} | "
            f"{data['frames_per_second']:.2f} frames | {ratio:.2f}x | at most {target}x: {verdict} |", "",
            f"Of which the video (MP4 by Blender's FFmpeg, WebP preview, sidecar): {video:.2f} s (median)."]


def live_edit(report: Report, data: dict | None) -> list[str]:
    if data is None:
        report.target("Live edit (obj.scurve) at default resolution within the interactive budget", "not run",
                      status(None))
        return ["Not run."]
    lines = ["A live edit: `obj.scurve.arc_segments` set on an existing mirror (the mesh rebuilt in place, its "
             "modifiers, transform and material kept), alone and with the depsgraph evaluation that shows it "
             "(the Subdivision Surface modifier at its viewport level), median of interleaved rounds.", "",
             "| case | vertices | edit ms | edit + evaluation ms |", "|---|---:|---:|---:|"]
    for case, v in data["cases"].items():
        lines.append(f"| {case} ({v['arc_segments']}) | {v['vertices']:,} | {v['edit']['median_ms']:.1f} | "
                     f"{v['edit+evaluation']['median_ms']:.1f} |")
    default = data["cases"].get("default")
    if default:
        ms_ = default["edit+evaluation"]["median_ms"]
        budget = ms_ / default["edit+evaluation"]["of_budget"]
        report.target(f"Live edit at default resolution within {budget:.0f} ms (edit + evaluation)",
                      f"{ms_:.1f} ms", status(ms_ <= budget, f"{ms_ - budget:.0f} ms over"))
    return lines


def session_memory(report: Report, data: dict | None) -> list[str]:
    if data is None:
        report.target("Session memory after 200 jobs at most 1.5x after 10", "not run", status(None))
        return ["Not run."]
    ratio, target = data["ratio"], data["target"]
    verdict = status(ratio <= target, f"{ratio - target:.2f}x over")
    report.target(f"Session memory after {data['jobs']} jobs at most {target}x after 10",
                  f"{ratio:.2f}x ({data['after_10_mib']:.0f} -> {data['after_all_mib']:.0f} MiB)", verdict)
    rss = data["rss_mib"]
    marks = ", ".join(f"{n}: {rss[n - 1]:.0f}" for n in (1, 10, 50, 100, 150, 200) if n <= len(rss))
    return [f"One render session process renders {data['jobs']} tiny jobs (32x18, 1 sample), each with another "
            "surface or material, without recycling; its resident memory is read from /proc after each job "
            f"(MiB after N jobs: {marks}). After {data['jobs']} jobs it holds {ratio:.2f}x what it held after 10 "
            f"(target at most {target}x): {verdict}. The runners recycle a session after `--session-jobs` jobs "
            "(default 250) or past `--session-memory` MiB (default 4096) anyway."]


def quality_cpu(report: Report, data: dict | None) -> list[str]:
    return _quality(report, data, "cpu")


def quality_gpu(report: Report, data: dict | None, gpu_probe: dict | None) -> list[str]:
    if data is not None:
        return _quality(report, data, "gpu")
    why = (gpu_probe or {}).get("why", "no GPU on this machine")
    report.target("Time to quality on a GPU", f"not measured: {why}", status(None))
    return [f"Not measured: {why}. The same benchmark runs with `--device auto` wherever render_jobs finds a GPU "
            "backend."]


def _quality(report: Report, d: dict | None, tag: str) -> list[str]:
    lines: list[str] = []
    label = f"Time to quality ({tag.upper()}): ours reach Blender's PSNR in at most 1/3 of its time"
    if d is None:
        report.target(label, "not run", status(None))
        return ["Not run."]
    ours, bl = d["ours_default"], d["blender_default"]
    dev = d["device"]
    ref = d["reference"]
    rs = ref["settings"]
    lines += [f"Studio scene around the default mirror at {d['resolution'][0]}x{d['resolution'][1]}, device "
              f"{dev['backend']} ({', '.join(dev['devices'])}). PSNR of the 8-bit output against a reference "
              f"of the same scene: the studio's light paths ({rs['glossy_bounces']} glossy / "
              f"{rs['max_bounces']} total bounces), {rs['samples']} samples, no adaptive sampling, no "
              f"denoising, seed {rs['seed']} ({'cached' if ref['cached'] else 'rendered this run'}: "
              f"`{ref['file']}`). Time = wall time of `bpy.ops.render.render`, after one untimed warm-up "
              "render; sync is Cycles' scene export, BVH and images before the first sample.", "",
              "| settings | samples | time s | sync s | sampling + denoising s | PSNR dB |",
              "|---|---:|---:|---:|---:|---:|"]
    for config, name in QUALITY_CONFIGS.items():
        default = d["ours_default" if config == "ours" else "blender_default"]["samples"]
        for p in d["curves"].get(config, []):
            mark = " (default)" if p["samples"] == default else ""
            runs = f" (median of {p['runs']})" if p["runs"] > 1 else ""
            lines.append(f"| {name}{mark} | {p['samples']} | {p['seconds']:.2f}{runs} | {p['sync_s']:.2f} | "
                         f"{p['sampling_s']:.2f} | {p['psnr_db']:.2f} |")
    so, sb = ours["settings"], bl["settings"]
    lines += ["", f"Ours: {so['samples']} samples, adaptive {so['noise_threshold']:.3g}, denoise {so['denoise']}, "
              f"{so['glossy_bounces']} glossy / {so['max_bounces']} bounces, caustics {so['caustics_reflective']}. "
              f"Blender's: {sb['samples']} samples, adaptive {sb['noise_threshold']:.3g}, denoise "
              f"{sb['denoise']}, {sb['glossy_bounces']} glossy / {sb['max_bounces']} bounces, caustics "
              f"{sb['caustics_reflective']}.", ""]
    speed = d["speedup"]
    gap = d["psnr_gap_db"]
    sampling_speed = bl["sampling_s"] / ours["sampling_s"] if ours["sampling_s"] > 0 else math.nan
    lines.append(f"Ours at the default: {ours['seconds']:.2f} s, {ours['psnr_db']:.2f} dB; Blender's defaults: "
                 f"{bl['seconds']:.2f} s, {bl['psnr_db']:.2f} dB: **{speed:.1f}x** less time "
                 f"({sampling_speed:.1f}x in sampling and denoising alone), {gap:+.2f} dB.")
    mixed = next((p for p in d["curves"].get("mixed", []) if p["samples"] == bl["samples"]), None)
    if mixed:
        lines.append(f"Blender's sampling settings with the studio's light paths: {mixed['seconds']:.2f} s, "
                     f"{mixed['psnr_db']:.2f} dB, so the light paths make {mixed['psnr_db'] - bl['psnr_db']:+.2f} "
                     f"dB of the PSNR gap, and against our sampling settings at equal light paths the time "
                     f"ratio is {mixed['seconds'] / ours['seconds']:.1f}x at "
                     f"{ours['psnr_db'] - mixed['psnr_db']:+.2f} dB.")
    name = f"time_to_quality_{tag}.png"
    quality_plot(d, tag, result_path(name))
    lines += ["", f"![PSNR against render time, points labelled with their samples; the target region is above "
              f"and left of the dashed lines]({name})"]
    met = ours["psnr_db"] >= bl["psnr_db"] and speed >= d["time_factor_target"]
    gaps = []
    if ours["psnr_db"] < bl["psnr_db"]:
        gaps.append(f"{-gap:.2f} dB below")
    if speed < d["time_factor_target"]:
        gaps.append(f"{speed:.2f}x instead of {d['time_factor_target']:.0f}x faster")
    report.target(label, f"{speed:.1f}x less time, {gap:+.2f} dB", status(met, ", ".join(gaps)))
    return lines


def quality_plot(d: dict, tag: str, path: str) -> None:
    ours, bl = d["ours_default"], d["blender_default"]
    w, h = d["resolution"]
    device = d["device"]["backend"]
    fig, (ax,) = plot.figure(title=f"Time to quality on the {device if device != 'CPU' else tag.upper()}, "
                                   f"studio scene at {w}x{h} pixels")
    for index, config in enumerate(("ours", "blender", "mixed")):
        pts = d["curves"].get(config)
        if pts:
            plot.series(ax, [p["seconds"] for p in pts], [p["psnr_db"] for p in pts], QUALITY_CONFIGS[config],
                        index, point_labels=[f"{p['samples']} spp" for p in pts])
    ax.scatter([ours["seconds"]], [ours["psnr_db"]], s=120, facecolors="none", edgecolors="C0", linewidths=1.5,
               label="ours at its default samples", zorder=3)
    ax.scatter([bl["seconds"]], [bl["psnr_db"]], s=120, facecolors="none", edgecolors="C1", linewidths=1.5,
               label="Blender at its default samples", zorder=3)
    factor = d["time_factor_target"]
    plot.target_hline(ax, bl["psnr_db"], f"target: at least Blender's default PSNR ({bl['psnr_db']:.1f} dB)")
    plot.target_vline(ax, bl["seconds"] / factor,
                      f"target: at most 1/{factor:g} of Blender's default time ({bl['seconds'] / factor:.2f} s)")
    ax.set_xscale("log")
    ax.margins(x=0.08, y=0.1)
    plot.target_region(ax, bl["seconds"] / factor, bl["psnr_db"], "both targets met")
    plot.plain_log_ticks(ax)
    ax.set_xlabel("render time (s, log scale)")
    ax.set_ylabel("PSNR against the reference (dB)")
    plot.legend_below(fig, [ax], columns=2)
    plot.save(fig, path)


def _optics_figures(e: dict) -> dict[str, float]:
    n = e["normals"]
    return {"median": n["median_deg"], "p99": n["p99_deg"], "max": n["max_deg"], "position_pct": e["position_max_pct"]}


def _tessellation(levels: int | str | None) -> str:
    return f"render level {levels}" if isinstance(levels, int) else "adaptive subdivision"


def _against(value: float, target: float, digits: int = 4) -> str:
    """A figure with its target's verdict: met, or not met and by how much."""
    if value <= target:
        return f"{value:.{digits}f} met"
    return f"{value:.{digits}f} **not met** (+{value - target:.{digits}f}, {value / target:.1f}x)"


def optics(report: Report, data: dict | None) -> list[str]:
    profiles = ("Default", "SMOOTH", "Kistefos-like")
    if data is None:
        for profile in profiles:
            report.target(f"Rendered normals and positions, {profile}", "not run", status(None))
        return ["Not run."]
    main, targets, res = data["main"], data["targets"], data["target_resolution"]
    runs = [main] + [r for r in data["others"].values() if "skipped" not in r]
    lines = [f"Cycles' Normal and Position passes of an orthographic front view ({main['height']} pixel rows, "
             "as wide as the surface), 1 sample per pixel, box filter (tools/normal_passes.py); per pixel the "
             "angle between the shading normal and the analytic normal at the closest surface point, in the band "
             "0.05 pi < theta < 0.95 pi (area-weighted: a pixel stands for the surface area it sees), and the "
             "largest distance of a hit point from the surface "
             "(tools/normal_errors.py). Targets (Blender 5.0, default resolution "
             f"{res}): median <= {targets['median']} deg, p99 <= {targets['p99']} deg, max <= {targets['max']} deg, "
             f"position <= {targets['position_pct']} % R. Each figure is marked against its target, with the gap.",
             "", "### Errors at the mirror's own render tessellation "
             f"({_tessellation(main.get('default_tessellation'))} on Blender {main['blender']})",
             "", "| Blender | profile | arc segments x rows | median deg | p99 deg | max deg | position % R |",
             "|---|---|---|---|---|---|---|"]
    for run in runs:
        for profile, by_res in run["errors"].items():
            for r, e in by_res.items():
                f = _optics_figures(e)
                grid = e.get("grid", r)
                lines.append(f"| {run['blender']} | {profile} | {grid if grid == r else f'{r} ({grid})'} | "
                             + " | ".join(_against(f[k], targets[k]) for k in ("median", "p99", "max", "position_pct"))
                             + " |")
    for version, r in data["others"].items():
        if "skipped" in r:
            lines.append(f"\nBlender {version} not measured: {r['skipped']}.")
    where = "each at its own resolution" if res == "own" else res
    lines += ["", f"Where the errors are (Blender {main['blender']}, {where}; median / p99 / max deg; the regions of "
              "scurve_addon.geometry.optics: ends |u| > 0.75, bottom and top 0.05-0.2 pi from an edge, interior "
              "the rest).", "",
              "| profile | bottom | top | ends | interior |", "|---|---|---|---|---|"]
    for profile, by_res in main["errors"].items():
        if res in by_res:
            regions = by_res[res]["normals"]["regions"]
            lines.append(f"| {profile} | " + " | ".join(
                f"{regions[k]['median_deg']:.4f} / {regions[k]['p99_deg']:.3f} / {regions[k]['max_deg']:.3f}"
                for k in ("bottom", "top", "ends", "interior")) + " |")
    if main["tessellation"]:
        w, h = main["studio_resolution"]
        lines += ["", "### Render tessellation", "",
                  "Each profile at its preset's resolution. Studio render (the main run's Blender only): "
                  f"`bpy.ops.render.render` of the studio scene at {w}x{h}, the default samples, CPU, no "
                  f"persistent data (so the subdivision is redone), min of {main['repeats']}: wall time, and CPU "
                  "time of all threads (the steadier figure on a shared machine), relative to level 3 in the "
                  "same run. Adaptive: 5.0's object-space dicing, edges of R/200 or R/100 (4.2 and 4.5 have "
                  "no object-space dicing).", "",
                  "| Blender | profile | tessellation | median deg | p99 deg | max deg | position % R "
                  "| studio wall s | CPU s | CPU vs level 3 |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for run in runs:
            for profile, t in run["tessellation"].items():
                base = t["rows"].get("level 3", {}).get("studio")
                for label, e in t["rows"].items():
                    where = f"| {run['blender']} | {profile} {t['resolution']} | {label} |"
                    if not e["supported"]:
                        lines.append(f"{where} not on this Blender | | | | | | |")
                        continue
                    f = _optics_figures(e)
                    studio = e.get("studio")
                    times = f"{studio['wall_s']:.2f} | {studio['cpu_s']:.2f}" if studio else " | "
                    rel = f"{studio['cpu_s'] / base['cpu_s']:.2f}x" if studio and base else ""
                    lines.append(f"{where} {f['median']:.4f} | {f['p99']:.4f} | {f['max']:.4f} | "
                                 f"{f['position_pct']:.4f} | {times} | {rel} |")
    for profile in profiles:
        e = main["errors"].get(profile, {}).get(res)
        grid = e.get("grid", res) if e is not None else res
        label = (f"Rendered normals and positions, {profile} ({grid}, Blender {main['blender']}): median <= "
                 f"{targets['median']} deg, p99 <= {targets['p99']} deg, max <= {targets['max']} deg, position <= "
                 f"{targets['position_pct']} % R")
        if e is None:
            report.target(label, "not run", status(None))
            continue
        f = _optics_figures(e)
        gaps = [f"{k.replace('_pct', '')} {f[k] / targets[k]:.1f}x"
                for k in ("median", "p99", "max", "position_pct") if f[k] > targets[k]]
        report.target(label, f"median {f['median']:.4f}, p99 {f['p99']:.4f}, max {f['max']:.4f} deg, position "
                      f"{f['position_pct']:.4f} % R", status(not gaps, "over: " + ", ".join(gaps)))
    return lines


@dataclass(frozen=True)
class Section:
    title: str
    inputs: tuple[str, ...]  # JSON files in bench/results, passed in this order (None when absent)
    write: Callable[..., list[str]]


SECTIONS: list[Section] = [
    Section("Mesh building", ("mesh_build.json", "redo.json"), mesh),
    Section("Live edit", ("live_edit.json",), live_edit),
    Section("Batch overhead", ("batch_overhead.json",), batch),
    Section("Small-render throughput (render sessions)", ("throughput.json", "throughput_levels.json"), throughput),
    Section("Walk-around animation", ("animation.json",), animation),
    Section("Session memory", ("session_memory.json",), session_memory),
    Section("Time to quality (CPU)", ("time_to_quality_cpu.json",), quality_cpu),
    Section("Optics: rendered normals and tessellation", ("optics.json",), optics),
    Section("Time to quality (GPU)", ("time_to_quality_gpu.json", "gpu_probe.json"), quality_gpu),
]


def build(header: list[str]) -> str:
    """Write bench/results/report.md (and the plots) from whatever JSON files are there."""
    report = Report()
    sections = []
    for number, section in enumerate(SECTIONS, 1):
        data: list[Any] = [load(name) for name in section.inputs]
        lines = section.write(report, *data)
        sections.append("\n".join([f"## {number}. {section.title}", "", *lines]))
    text = report.markdown(header, sections)
    with open(result_path("report.md"), "w") as fh:
        fh.write(text)
    return text
