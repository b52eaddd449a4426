"""Whether this machine has a GPU that Cycles can render on, through render_jobs' device selection."""
from __future__ import annotations

import json
import sys

from .blender_env import import_bpy
from .paths import result_path


def probe() -> dict:
    import_bpy()
    try:
        from scurve_addon.render_jobs import devices
    except ImportError as exc:
        return {"gpu": False, "why": f"render_jobs has no device selection ({exc})"}
    found = devices.present()
    gpus = {backend: names for backend, names in found.items() if backend != "CPU"}
    if not gpus:
        return {"gpu": False, "why": "no GPU on this machine (Cycles found no OptiX, CUDA, HIP, oneAPI or Metal "
                                     "device)", "found": found}
    device = devices.select("auto")
    return {"gpu": device.backend != "CPU", "found": found, "selected": device.record(),
            "why": "" if device.backend != "CPU" else "GPU present but could not be enabled"}


if __name__ == "__main__":
    result = probe()
    with open(result_path("gpu_probe.json"), "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"  GPU: {result['selected']['backend'] if result['gpu'] else result['why']}", file=sys.stderr)
