"""How much memory a render needs, estimated before it starts, against what the machine has.

A 16384 x 16384 render is valid input, but Cycles' buffers for it (the film's passes, the
denoiser's albedo and normal passes and its working copies, Blender's Render Result and the
image being written) take over 20 GB: on a smaller machine it would run until the system
kills it. Jobs that cannot fit are refused before anything renders (on each machine that
would render them), with the estimate and the machine's memory in the message.
"""
from __future__ import annotations

import os

from ..defaults import RenderParams

# Bytes per pixel, measured: a 16384x16384 denoised render passed 22.5 GB resident before it
# was stopped, about 84 bytes a pixel; rounded up. Without the denoiser, fewer passes.
BYTES_PER_PIXEL_DENOISED = 96
BYTES_PER_PIXEL = 64
BASE_BYTES = 512 * 2**20  # Blender, the scene, the kernels
FIT = 0.9  # of the machine's memory: more than this cannot be rendered here


def render_bytes(render: RenderParams) -> int:
    """Estimated resident memory of rendering one image with these settings."""
    width, height = (int(v) for v in render.resolution)
    per_pixel = BYTES_PER_PIXEL_DENOISED if render.denoise else BYTES_PER_PIXEL
    return BASE_BYTES + width * height * per_pixel


def machine_bytes() -> int | None:
    """Physical memory of this machine, or None where unknown."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def too_big(render: RenderParams) -> str | None:
    """Why a render with these settings cannot run on this machine, or None."""
    total = machine_bytes()
    need = render_bytes(render)
    if total is None or need <= FIT * total:
        return None
    width, height = render.resolution
    return (f"{width}x{height} needs about {gib(need)} of memory to render (Cycles' buffers, the denoiser, the "
            f"image), more than this machine's {gib(total)}: lower the resolution (or turn off denoising), or "
            "render it on a bigger machine")
