"""Frames per second of a small walk-around animation through the local runner, against the
throughput floor (bench/throughput.py's FLOOR script) measured in the same run.

The animation: a 12-frame orbit ([animation] frames = 12), 64x36, 4 samples, no denoising,
on the CPU: `python -m render_jobs render --force` renders every frame in one render
session (only the camera moves from frame to frame) and then encodes the MP4 and the
preview (included in its time). The floor: one process that builds the studio once and
renders 12 jobs of the same size, swapping only the mesh (process start included): the
cheapest way Blender can render 12 small images. Rounds are interleaved; the ratio is per
round, median. Target: at most 1.5x the floor (the frames reuse the scene as the floor
does; the video and the runner's own start are on top).

Both run with render levels (adaptive subdivision off, as on 4.2 and 4.5): with 5.0's
adaptive default the floor's 12 surfaces are 12 dicings, while the animation's one surface
is diced once (the studio's still dicing camera), which would compare unlike work.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

from .paths import result_path
from .throughput import prepare, run
from .timing import Samples, paired_ratio

TARGET = 1.5
FRAMES = 12
JOB = f"""\
# Written by bench/animation.py: a small walk-around animation.
[render]
resolution = [64, 36]
samples = 4
denoise = false
device = "cpu"
[animation]
frames = {FRAMES}
fps = 12
path = "orbit"
"""


def run_animation(command: list[str], out: str) -> float:
    """run() of bench/throughput.py counts 12 PNGs: the 12 frames; the video must be there too."""
    seconds = run(command, out)
    if not os.path.isfile(os.path.join(out, "anim.mp4")):
        raise RuntimeError("the animation wrote no video")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=result_path("animation.json"))
    args = parser.parse_args()
    folder, job_file, floor_script = prepare("scurve-animation-", "anim.toml", JOB, adaptive=False)
    samples = {"floor": Samples(), "animation": Samples()}
    encode: list[float] = []
    try:
        for r in range(args.rounds):
            floor_out = os.path.join(folder, "floor")
            samples["floor"].seconds.append(run([sys.executable, floor_script, floor_out], floor_out))
            out = os.path.join(folder, "animation")
            samples["animation"].seconds.append(run_animation(
                [sys.executable, "-m", "render_jobs", "render", job_file, "--force", "--out", out], out))
            with open(os.path.join(out, "anim.video.json")) as fh:
                encode.append(json.load(fh)["timings"]["total"])
            print(f"  round {r + 1}/{args.rounds}: floor {samples['floor'].seconds[-1]:.2f} s, animation "
                  f"{samples['animation'].seconds[-1]:.2f} s (video {encode[-1]:.2f} s)", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = paired_ratio(samples["animation"], samples["floor"])
    result = {"frames": FRAMES, "resolution": [64, 36], "samples": 4, "rounds": args.rounds,
              "seconds": {k: v.as_dict() for k, v in samples.items()},
              "frames_per_second": FRAMES / samples["animation"].median,
              "floor_images_per_second": FRAMES / samples["floor"].median,
              "video_seconds": encode, "ratio_to_floor": ratio, "target": TARGET}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"  animation: {result['frames_per_second']:.2f} frames/s, {ratio['median']:.2f}x the floor "
          f"(target <= {TARGET}x)", flush=True)


if __name__ == "__main__":
    main()
