"""Parts 3 and 4: time to quality of our default render settings against Blender's.

On the studio scene (scurve_addon.scene.setup_studio_scene around the default mirror), at
a small resolution, each configuration renders at a few sample counts; every image is
compared with a high-sample reference of the same scene (PSNR of the 8-bit output).

- ours: RenderParams' defaults as the studio applies them (apply_cycles_settings);
- blender: every Cycles setting of a fresh scene (bpy.data.scenes.new), device aside;
- reference: the studio's light paths, REFERENCE_SAMPLES samples, no adaptive sampling,
  no denoising, another seed; cached in bench/results/cache under a name holding its
  parameters and a hash of the scene's code.

The device comes from render_jobs' selection (`--device auto` picks the best GPU backend
present, else the CPU) and is recorded. Time is the wall time of bpy.ops.render.render;
a RenderProbe splits it into sync, sampling and post-processing.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import time

from .blender_env import import_bpy
from .images import psnr, read_rgb
from .paths import ROOT, cache_path, result_path
from .render_probe import RenderProbe

RESOLUTION = (96, 54)
REFERENCE_SAMPLES = 2048
REFERENCE_SEED = 7919
OURS_SAMPLES = (16, 64, 256)
BLENDER_SAMPLES = (64, 256, 4096)
# Blender's sampling settings with the studio's light paths: how much of the gap is which.
MIXED_SAMPLES = (256, 4096)
LIGHT_PATH_KEYS = ("max_bounces", "diffuse_bounces", "glossy_bounces", "transmission_bounces", "volume_bounces",
                   "transparent_max_bounces", "caustics_reflective", "caustics_refractive", "blur_glossy")
CONFIGS = {"ours": "ours (RenderParams)", "blender": "Blender's defaults",
           "mixed": "Blender's sampling, studio light paths"}
OURS_DEFAULT_REPEATS = 3  # the cheap side of the target's ratio is repeated (median)
TIME_FACTOR = 3.0  # target: at least Blender's PSNR in at most a third of its time
# Blender's settings that only concern the viewport or the UI, left alone.
SKIP_SETTINGS = {"rna_type", "device", "preview_pause"}


def scene_code_hash() -> str:
    """Hash of the code that decides the reference's pixels (scene, mirror, defaults)."""
    digest = hashlib.sha256()
    files = sorted(glob.glob(os.path.join(ROOT, "scurve_addon", "**", "*.py"), recursive=True))
    for path in files:
        if os.sep + "operators" + os.sep in path or path.endswith(("ui.py", "registration.py")):
            continue
        with open(path, "rb") as fh:
            digest.update(os.path.relpath(path, ROOT).encode() + b"\0" + fh.read())
    return digest.hexdigest()[:12]


class Bench:
    def __init__(self, device_choice: str, resolution: tuple[int, int], folder: str):
        self.bpy = bpy = import_bpy()
        self.resolution = resolution
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
        fresh = bpy.data.scenes.new("blender-defaults")
        self.blender_settings = {p.identifier: getattr(fresh.cycles, p.identifier)
                                 for p in fresh.cycles.bl_rna.properties
                                 if not p.is_readonly and p.identifier not in SKIP_SETTINGS}
        bpy.data.scenes.remove(fresh)
        self.device, self.device_record = self._select_device(device_choice)
        self._build_scene()
        # Everything the studio set up, so that "ours" after "blender" is the studio again.
        self.studio_settings = {key: getattr(self.scene.cycles, key) for key in self.blender_settings}
        self.probe = RenderProbe().install()

    def _select_device(self, choice: str):
        try:
            from scurve_addon.render_jobs import devices
        except ImportError:  # before render_jobs had device selection: the CPU
            return None, {"requested": choice, "backend": "CPU", "type": "CPU", "devices": ["CPU"],
                          "note": "render_jobs.devices missing: CPU"}
        device = devices.select(choice)
        return device, device.record()

    def _build_scene(self) -> None:
        bpy = self.bpy
        from scurve_addon import build
        from scurve_addon.defaults import RenderParams, SceneParams
        from scurve_addon.scene import setup_studio_scene

        context = bpy.context
        surface = build.build_mirror(context)
        setup_studio_scene(context, SceneParams(), surface=surface, render=RenderParams(resolution=self.resolution))
        scene = self.scene = context.scene
        scene.render.engine = "CYCLES"
        scene.render.resolution_x, scene.render.resolution_y = self.resolution
        scene.render.resolution_percentage = 100
        scene.render.film_transparent = False
        scene.render.use_persistent_data = False
        settings = scene.render.image_settings
        settings.file_format = "PNG"  # 8-bit, display-referred: what PSNR is computed on
        settings.color_mode = "RGB"
        settings.color_depth = "8"

    # -- settings --------------------------------------------------------------------
    def use_ours(self, samples: int | None = None, reference: bool = False) -> None:
        from scurve_addon.defaults import RenderParams, SceneParams
        from scurve_addon.scene.cycles_settings import apply_cycles_settings

        render = RenderParams(resolution=self.resolution)
        if samples is not None:
            render = RenderParams(resolution=self.resolution, samples=samples)
        if reference:
            render = RenderParams(resolution=self.resolution, samples=samples, noise_threshold=0.0,
                                  denoise=False, seed=REFERENCE_SEED)
        self._set_cycles(self.studio_settings)
        apply_cycles_settings(self.scene, SceneParams(), render)
        self._use_device()

    def use_blender(self, samples: int | None = None) -> None:
        self._set_cycles(self.blender_settings)
        if samples is not None:
            self.scene.cycles.samples = samples
        self._use_device()

    def use_mixed(self, samples: int | None = None) -> None:
        """Blender's defaults, except the light paths, which are the studio's."""
        self.use_blender(samples)
        self._set_cycles({key: self.studio_settings[key] for key in LIGHT_PATH_KEYS})

    def _set_cycles(self, settings: dict) -> None:
        cycles = self.scene.cycles
        for key, value in settings.items():
            if getattr(cycles, key) != value:
                setattr(cycles, key, value)

    def _use_device(self) -> None:
        if self.device is not None:
            from scurve_addon.render_jobs import devices

            devices.use(self.scene, self.device)
        else:
            self.scene.cycles.device = "CPU"

    def settings_record(self) -> dict:
        c = self.scene.cycles
        return {"samples": c.samples, "adaptive": bool(c.use_adaptive_sampling),
                "noise_threshold": round(c.adaptive_threshold, 6) if c.use_adaptive_sampling else 0.0,
                "denoise": bool(c.use_denoising), "max_bounces": c.max_bounces,
                "glossy_bounces": c.glossy_bounces, "caustics_reflective": bool(c.caustics_reflective),
                "blur_glossy": round(c.blur_glossy, 4), "seed": c.seed, "device": c.device}

    # -- rendering -------------------------------------------------------------------
    def render(self, name: str, keep: bool = True) -> dict:
        """Render; with keep, also save the image as PNG (kept beside the results) and read it back."""
        bpy = self.bpy
        start = time.perf_counter()
        result = bpy.ops.render.render(write_still=False)
        seconds = time.perf_counter() - start
        if "FINISHED" not in result:
            raise RuntimeError(f"render {name} did not finish: {result}")
        probe = self.probe.last()
        if not keep:
            return {"name": name, "seconds": seconds, "sync_s": probe["sync_s"], "sampling_s": probe["sampling_s"],
                    "post_s": probe["post_s"]}
        path = os.path.join(self.folder, name + ".png")
        bpy.data.images["Render Result"].save_render(filepath=path, scene=self.scene)
        pixels = read_rgb(path)
        return {"name": name, "seconds": seconds, "settings": self.settings_record(), "pixels": pixels,
                "sync_s": probe["sync_s"], "sampling_s": probe["sampling_s"], "post_s": probe["post_s"]}


def reference_image(bench: Bench, samples: int) -> tuple:
    """The reference: from the cache when its parameters match, else rendered and cached."""
    import numpy as np

    w, h = bench.resolution
    backend = bench.device_record["backend"].lower()
    name = (f"reference_{w}x{h}_s{samples}_seed{REFERENCE_SEED}_{backend}_blender{bench.bpy.app.version_string}"
            f"_scene{scene_code_hash()}").replace(" ", "")
    path = cache_path(name + ".npy")
    meta_path = cache_path(name + ".json")
    if os.path.isfile(path) and os.path.isfile(meta_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        return np.load(path), {**meta, "cached": True, "file": os.path.relpath(path, ROOT)}
    bench.use_ours(samples, reference=True)
    shot = bench.render("reference")
    np.save(path, shot["pixels"])
    meta = {"seconds": shot["seconds"], "settings": shot["settings"], "sampling_s": shot["sampling_s"]}
    with open(meta_path, "w") as fh:
        json.dump(meta, fh, indent=1)
    return shot["pixels"], {**meta, "cached": False, "file": os.path.relpath(path, ROOT)}


def run(device_choice: str, resolution: tuple[int, int], reference_samples: int,
        ours_samples: tuple[int, ...], blender_samples: tuple[int, ...], mixed_samples: tuple[int, ...],
        folder: str) -> dict:
    from scurve_addon.defaults import RenderParams

    bench = Bench(device_choice, resolution, folder)
    reference, reference_meta = reference_image(bench, reference_samples)
    ours_default = RenderParams().samples
    blender_default = bench.blender_settings["samples"]
    bench.use_ours(1)
    bench.render("warmup")  # kernels, sky texture: paid once, before anything is timed

    # Interleaved: cheap and expensive renders alternate; ours' default is repeated.
    ours_samples = tuple(sorted(set(ours_samples) | {ours_default}))
    blender_samples = tuple(sorted(set(blender_samples) | {blender_default}))
    mixed_samples = tuple(sorted(set(mixed_samples) | {blender_default})) if mixed_samples else ()
    plan = ([("ours", s) for s in ours_samples] + [("blender", s) for s in blender_samples]
            + [("mixed", s) for s in mixed_samples])
    plan.sort(key=lambda cs: cs[1])
    repeats = [("ours", ours_default)] * (OURS_DEFAULT_REPEATS - 1)
    order = []
    for i, item in enumerate(plan):
        order.append(item)
        if repeats and i % 2 == 1:
            order.append(repeats.pop())
    order += repeats
    shots: dict[str, list[dict]] = {"ours": [], "blender": [], "mixed": []}
    for config, samples in order:
        {"ours": bench.use_ours, "blender": bench.use_blender, "mixed": bench.use_mixed}[config](samples)
        run_index = sum(1 for s in shots[config] if s["samples"] == samples)
        shot = bench.render(f"{config}_{samples}spp_run{run_index + 1}")
        shot["psnr_db"] = psnr(shot.pop("pixels"), reference)
        shot["samples"] = samples
        shots[config].append(shot)
        print(f"  {config:8s} {samples:5d} samples: {shot['seconds']:7.2f} s, PSNR {shot['psnr_db']:.2f} dB",
              flush=True)

    def curve(config):
        out = []
        for samples in sorted({s["samples"] for s in shots[config]}):
            runs = [s for s in shots[config] if s["samples"] == samples]
            runs.sort(key=lambda s: s["seconds"])
            mid = runs[(len(runs) - 1) // 2]  # the median run (lower median for an even count)
            out.append({"samples": samples, "seconds": mid["seconds"], "psnr_db": mid["psnr_db"],
                        "runs": len(runs), "all_seconds": [s["seconds"] for s in runs],
                        "sync_s": mid["sync_s"], "sampling_s": mid["sampling_s"], "post_s": mid["post_s"],
                        "settings": mid["settings"]})
        return out

    curves = {config: curve(config) for config in CONFIGS if shots[config]}
    ours = next(p for p in curves["ours"] if p["samples"] == ours_default)
    blender = next(p for p in curves["blender"] if p["samples"] == blender_default)
    time_ratio = blender["seconds"] / ours["seconds"]
    return {
        "device": bench.device_record, "resolution": list(resolution), "blender": bench.bpy.app.version_string,
        "reference": reference_meta, "curves": curves,
        "ours_default": ours, "blender_default": blender,
        "speedup": time_ratio, "psnr_gap_db": ours["psnr_db"] - blender["psnr_db"],
        "target_met": bool(ours["psnr_db"] >= blender["psnr_db"] and time_ratio >= TIME_FACTOR),
        "time_factor_target": TIME_FACTOR,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="render_jobs device choice: cpu, auto, optix, cuda...")
    parser.add_argument("--resolution", default=f"{RESOLUTION[0]}x{RESOLUTION[1]}")
    parser.add_argument("--reference-samples", type=int, default=REFERENCE_SAMPLES)
    parser.add_argument("--ours-samples", default=",".join(map(str, OURS_SAMPLES)))
    parser.add_argument("--blender-samples", default=",".join(map(str, BLENDER_SAMPLES)))
    parser.add_argument("--mixed-samples", default=",".join(map(str, MIXED_SAMPLES)), help="'' for none")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    width, height = (int(v) for v in args.resolution.lower().split("x"))
    resolution = (width, height)
    tag = "gpu" if args.device not in ("cpu",) else "cpu"
    folder = result_path(f"time_to_quality_{tag}")
    result = run(args.device, resolution, args.reference_samples,
                 tuple(int(v) for v in args.ours_samples.split(",")),
                 tuple(int(v) for v in args.blender_samples.split(",")),
                 tuple(int(v) for v in args.mixed_samples.split(",") if v), folder)
    with open(args.out or result_path(f"time_to_quality_{tag}.json"), "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
