"""What OpenImageDenoise costs at a resolution, on the device render_jobs picks.

Cycles reports no status message of its own while it denoises a final render: its last
"Sample N/N" message comes after the denoiser, so the probe's sampling span includes it.
This calibration renders the studio scene at 1 sample with denoising on and off, in
alternating pairs, and takes the difference of the spans (the denoiser's cost does not
depend on the sample count). The batch-overhead part runs it just before and just after
its batch (the machine's load moves) and subtracts the mean from each denoised job.
"""
from __future__ import annotations

import argparse
import json
import statistics

from .paths import result_path
from .time_to_quality import Bench

PAIRS = 2


def measure(resolution: tuple[int, int], device: str = "auto", pairs: int = PAIRS) -> dict:
    bench = Bench(device, resolution, result_path("denoise_cost"))
    cycles = bench.scene.cycles
    bench.use_ours(1)
    bench.render("warmup", keep=False)
    spans: dict[bool, list[float]] = {True: [], False: []}
    for i in range(pairs):
        for denoise in ((True, False) if i % 2 == 0 else (False, True)):
            cycles.use_denoising = denoise
            spans[denoise].append(bench.render(f"denoise_{denoise}", keep=False)["sampling_s"])
    on, off = statistics.median(spans[True]), statistics.median(spans[False])
    return {"resolution": list(resolution), "device": bench.device_record, "denoise_s": max(on - off, 0.0),
            "span_on_s": spans[True], "span_off_s": spans[False], "denoiser": cycles.denoiser,
            "prefilter": cycles.denoising_prefilter,
            "quality": getattr(cycles, "denoising_quality", None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", default="640x360")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    width, height = (int(v) for v in args.resolution.lower().split("x"))
    with open(args.out, "w") as fh:
        json.dump(measure((width, height), args.device, args.pairs), fh, indent=1)


if __name__ == "__main__":
    main()
