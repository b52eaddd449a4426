"""The Markdown report (bench/results/report.md) and its plots, from the parts' JSON files."""
from __future__ import annotations

import json
import math
import os

from .paths import result_path
from .plot import Chart

MESH_TARGET = 1.3


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
    def __init__(self) -> None:
        self.targets: list[tuple[str, str, str]] = []
        self.sections: list[str] = []

    def target(self, what: str, measured: str, verdict: str) -> None:
        self.targets.append((what, measured, verdict))

    # ---- part 1 --------------------------------------------------------------------
    def mesh(self, data: dict | None, redo: dict | None) -> None:
        lines = ["## 1. Mesh building", ""]
        if data is None:
            lines.append("Not run.")
            self.target(f"Mesh building at 1M vertices within {MESH_TARGET}x of the floor", "not run",
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
                self.target(f"Mesh building at 1M vertices within {MESH_TARGET}x of the floor",
                             f"product/floor {r:.2f}x (from_pydata/floor "
                             f"{top['ratio_to_floor']['from_pydata']['median']:.2f}x)",
                             status(r <= MESH_TARGET, f"{r / MESH_TARGET:.2f}x over the target"))
            self.mesh_plot(t)
            lines += ["", "![mesh build time](mesh_build.png)"]
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
                self.target(f"Redo at {case} resolution within {budget:.0f} ms (operator + evaluation)",
                            f"{ev['median_ms']:.0f} ms = {ev['of_budget']:.2f}x the budget "
                            f"(operator alone {op['median_ms']:.0f} ms)",
                            status(ev["of_budget"] <= 1.0, f"{ev['of_budget']:.1f}x the budget"))
        self.sections.append("\n".join(lines))

    def mesh_plot(self, t: dict) -> None:
        chart = Chart("MESH BUILD: TIME / FLOOR TIME", "VERTICES", "RATIO TO THE FLOOR (MEDIAN)", xlog=True, ylog=True)
        names = ("product", "floor", "from_pydata", "attributes")
        for name in names:
            xs = [v["vertices"] for v in t.values()]
            ys = [v["ratio_to_floor"][name]["median"] for v in t.values()]
            chart.add(name.upper(), xs, ys)
        chart.hline(MESH_TARGET, f"TARGET {MESH_TARGET}X")
        chart.save(result_path("mesh_build.png"))

    # ---- part 2 --------------------------------------------------------------------
    def batch(self, data: dict | None) -> None:
        lines = ["## 2. Batch overhead", ""]
        runners = {"local": "local", "dask": "Dask"}
        if data is None:
            lines.append("Not run.")
            for name in runners.values():
                self.target(f"Batch overhead at most 5 % (640x360, default samples), {name} runner", "not run",
                            status(None))
            self.sections.append("\n".join(lines))
            return
        measured = {k: data[k] for k in runners if data.get(k, {}).get("measured")}
        first = next(iter(measured.values()), None)
        if first is None:
            lines.append("No runner measured.")
            self.sections.append("\n".join(lines))
            return
        target = first["target_share"]
        job0 = first["jobs"][0]
        res = "x".join(str(v) for v in job0["resolution"])
        at_target = res == "640x360" and data.get("samples") is None
        lines += [f"A batch of {len(first['jobs'])} renders ({res}, {job0['samples']['max']} samples max, "
                  f"adaptive {job0['samples']['noise_threshold']:.3g}, denoise {job0['samples']['denoise']}, "
                  f"device {job0['device']['backend']}), one render at a time: local = `python -m render_jobs render` "
                  "in a fresh process; Dask = the same with `--workers 1` (a local cluster of one worker, each job "
                  "in its own process). Overhead = 1 - Cycles sampling time / wall time from starting the runner to "
                  "its exit. Sampling is timed from Cycles' own status messages (first to last \"Sample\"), less "
                  "the denoiser, which runs before the last one and is calibrated apart (below); the rest is "
                  "itemised from the sidecars' `timings` and the probes.", "",
                  "| runner | jobs | wall s | sampling s | overhead share | target |", "|---|---:|---:|---:|---:|---|"]
        for key, name in runners.items():
            r = data.get(key, {})
            if not r.get("measured"):
                why = r.get("why", "not measured")
                lines.append(f"| {name} | - | - | - | - | {why} |")
                self.target(f"Batch overhead at most {target * 100:.0f} % (640x360, default samples), {name} runner",
                            why, status(None))
                continue
            share = r["overhead_share"]
            spread = r.get("overhead_share_range") or []
            spread_text = (f" ({spread[0] * 100:.1f}-{spread[-1] * 100:.1f} % with each denoiser calibration)"
                           if len(spread) > 1 else "")
            verdict = (status(share <= target, f"{(share - target) * 100:.1f} points over") if at_target
                       else "not measured at the target's 640x360 and default samples")
            lines.append(f"| {name} | {len(r['jobs'])} | {r['wall_s']:.1f} | {r['sampling_s']:.1f} | "
                         f"{share * 100:.1f} %{spread_text} | {verdict} |")
            self.target(f"Batch overhead at most {target * 100:.0f} % (640x360, default samples), {name} runner",
                        f"{share * 100:.1f} %{spread_text} ({res}, {job0['samples']['max']} samples)", verdict)
        for key, r in measured.items():
            lines += ["", f"Where the overhead goes, {runners[key]} runner (whole batch):", "",
                      "| part | seconds | share of wall |", "|---|---:|---:|"]
            for name, seconds in sorted(r["overhead_parts_s"].items(), key=lambda kv: -kv[1]):
                lines.append(f"| {name} | {seconds:.2f} | {seconds / r['wall_s'] * 100:.1f} % |")
            lines += ["", f"Per job, {runners[key]} runner (process and cluster start left out):", "",
                      "| job | total s | sync s | sampling s | denoising s | overhead share | slowest sync step |",
                      "|---|---:|---:|---:|---:|---:|---|"]
            for job in r["jobs"]:
                slow = job["slowest_sync_step"]
                lines.append(f"| {job['name']} | {job['total_s']:.1f} | {job['sync_s']:.2f} | "
                             f"{job['sampling_s']:.1f} | {job['denoise_s']:.1f} | "
                             f"{job['overhead_share'] * 100:.1f} % | {slow['step']} ({slow['seconds']:.2f} s) |")
        cal = first.get("denoise_calibration")
        if cal:
            brackets = ", ".join(f"{v:.1f}" for v in cal.get("bracket_s", []))
            lines += ["", f"Denoiser calibration ({cal['resolution'][0]}x{cal['resolution'][1]}, "
                      f"{cal['device']['backend']}, {cal['denoiser']}, prefilter {cal['prefilter']}, quality "
                      f"{cal['quality']}): 1-sample renders of the studio, sampling span with denoising "
                      f"{', '.join(f'{v:.2f}' for v in cal['span_on_s'])} s, without "
                      f"{', '.join(f'{v:.2f}' for v in cal['span_off_s'])} s: **{cal['denoise_s']:.1f} s per "
                      f"image** (mean of the calibrations before, between and after the runs: {brackets} s)."]
        self.sections.append("\n".join(lines))

    # ---- parts 3 and 4 -------------------------------------------------------------
    def quality(self, data: dict | None, gpu: dict | None, gpu_probe: dict | None) -> None:
        self.sections.append(self._quality_section("3. Time to quality (CPU)", data, "cpu"))
        if gpu is not None:
            self.sections.append(self._quality_section("4. Time to quality (GPU)", gpu, "gpu"))
        else:
            why = (gpu_probe or {}).get("why", "no GPU on this machine")
            self.sections.append(f"## 4. Time to quality (GPU)\n\nNot measured: {why}. The same benchmark runs "
                                 "with `--device auto` wherever render_jobs finds a GPU backend.")
            self.target("Time to quality on a GPU", f"not measured: {why}", status(None))

    def _quality_section(self, title: str, d: dict | None, tag: str) -> str:
        lines = [f"## {title}", ""]
        label = f"Time to quality ({tag.upper()}): ours reach Blender's PSNR in at most 1/3 of its time"
        if d is None:
            self.target(label, "not run", status(None))
            return "\n".join(lines + ["Not run."])
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
        names = {"ours": "ours (RenderParams)", "blender": "Blender's defaults",
                 "mixed": "Blender's sampling, studio light paths"}
        for config, name in names.items():
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
        chart = Chart(f"TIME TO QUALITY ({tag.upper()}, {d['resolution'][0]}X{d['resolution'][1]})",
                      "RENDER TIME (S)", "PSNR (DB) VS REFERENCE", xlog=True)
        for config, name in (("ours", "OURS (RENDERPARAMS)"), ("blender", "BLENDER DEFAULTS"),
                             ("mixed", "BLENDER SAMPLING, STUDIO LIGHT PATHS")):
            pts = d["curves"].get(config)
            if not pts:
                continue
            chart.add(name, [p["seconds"] for p in pts], [p["psnr_db"] for p in pts],
                      labels=[str(p["samples"]) for p in pts])
        plot = f"time_to_quality_{tag}.png"
        chart.save(result_path(plot))
        lines += ["", f"![PSNR against time, points labelled with samples]({plot})"]
        met = ours["psnr_db"] >= bl["psnr_db"] and speed >= d["time_factor_target"]
        gaps = []
        if ours["psnr_db"] < bl["psnr_db"]:
            gaps.append(f"{-gap:.2f} dB below")
        if speed < d["time_factor_target"]:
            gaps.append(f"{speed:.2f}x instead of {d['time_factor_target']:.0f}x faster")
        self.target(label, f"{speed:.1f}x less time, {gap:+.2f} dB", status(met, ", ".join(gaps)))
        return "\n".join(lines)

    # ---- assembly ------------------------------------------------------------------
    def markdown(self, header: list[str]) -> str:
        lines = header + ["", "## Targets", "", "| target | measured | status |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in self.targets]
        return "\n".join(lines + [""] + ["\n\n".join(self.sections), ""])


def build(header: list[str]) -> str:
    report = Report()
    report.mesh(load("mesh_build.json"), load("redo.json"))
    report.batch(load("batch_overhead.json"))
    report.quality(load("time_to_quality_cpu.json"), load("time_to_quality_gpu.json"), load("gpu_probe.json"))
    text = report.markdown(header)
    with open(result_path("report.md"), "w") as fh:
        fh.write(text)
    return text
