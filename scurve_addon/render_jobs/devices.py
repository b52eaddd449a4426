"""Which device Cycles renders on: the best GPU backend present, else the CPU.

`auto` tries OptiX, CUDA, HIP, oneAPI and Metal in that order through the Cycles add-on
preferences, enables that backend's GPUs and confirms one is active; with none, the CPU.
Naming a backend that is not present is an error (DeviceUnavailable), never a quiet CPU
render. The preferences are changed for this process only (nothing is saved).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import bpy

from .. import compat, defaults

GPU_BACKENDS = tuple(b.upper() for b in defaults.GPU_BACKENDS)  # Cycles' device types, in order of preference
NAMES = {"OPTIX": "OptiX", "CUDA": "CUDA", "HIP": "HIP", "ONEAPI": "oneAPI", "METAL": "Metal", "CPU": "CPU"}


class DeviceUnavailable(Exception):  # noqa: N818  (bad input, not a program error)
    """The requested backend is not present on this machine (bad input: exit code 2)."""


@dataclass(frozen=True)
class Device:
    requested: str  # what the job asked for: auto, cpu, optix...
    backend: str  # 'CPU' or a GPU backend: 'OPTIX', 'CUDA', ...
    names: tuple[str, ...]  # the devices that render

    def describe(self) -> str:
        what = ", ".join(self.names) or "?"
        if self.backend == "CPU":
            return f"CPU ({what}, {cpu_threads()} threads)"
        return f"{NAMES[self.backend]} GPU ({what})"

    def record(self) -> dict:
        return {"requested": self.requested, "backend": self.backend,
                "type": "CPU" if self.backend == "CPU" else "GPU", "devices": list(self.names),
                "threads": cpu_threads() if self.backend == "CPU" else None}


def cpu_threads() -> int:
    scene = bpy.context.scene
    if scene is not None and scene.render.threads_mode == "FIXED":
        return int(scene.render.threads)
    return os.cpu_count() or 1


def present() -> dict[str, list[str]]:
    """Device names per backend present (GPU backends with at least one device, and CPU)."""
    try:
        prefs = compat.cycles_preferences()
    except KeyError:
        raise DeviceUnavailable("the Cycles add-on is not enabled in this Blender") from None
    compat.refresh_cycles_devices(prefs)
    found = {b: [d.name for d in compat.cycles_devices(prefs, b)] for b in GPU_BACKENDS}
    found = {b: names for b, names in found.items() if names}
    found["CPU"] = [d.name for d in compat.cycles_devices(prefs, "CPU")] or ["CPU"]
    return found


def _enable(backend: str) -> tuple[str, ...]:
    """Make `backend`'s GPUs the active Cycles devices; the names of those now active."""
    prefs = compat.cycles_preferences()
    if not compat.set_compute_device_type(prefs, backend):
        return ()
    entries = compat.cycles_devices(prefs, backend)
    for entry in prefs.devices:  # GPU only: the CPU beside a fast GPU mostly slows it down
        entry.use = entry.type == backend and any(entry.id == e.id for e in entries)
    return tuple(d.name for d in prefs.devices if d.use and d.type == backend)


def _present_text(found: dict[str, list[str]]) -> str:
    gpus = [f"{NAMES[b]}: {', '.join(n)}" for b, n in found.items() if b != "CPU"]
    return "; ".join(gpus) if gpus else "no GPU backend, CPU only"


def select(requested: str) -> Device:
    """Resolve a device choice on this machine; raises DeviceUnavailable for a missing backend."""
    requested = requested.lower()
    if requested not in defaults.DEVICES:
        raise DeviceUnavailable(f"unknown device {requested!r}; choose from {', '.join(defaults.DEVICES)}")
    found = present()
    if requested == "cpu":
        return Device("cpu", "CPU", tuple(found["CPU"]))
    wanted = GPU_BACKENDS if requested == "auto" else (requested.upper(),)
    for backend in wanted:
        if backend in found:
            active = _enable(backend)
            if active:
                return Device(requested, backend, active)
    if requested == "auto":
        return Device("auto", "CPU", tuple(found["CPU"]))
    backend = requested.upper()
    why = ("its devices could not be enabled" if backend in found else f"this machine has no {NAMES[backend]} device")
    raise DeviceUnavailable(f"{NAMES[backend]} was asked for, but {why} (found: {_present_text(found)}); "
                            "use 'auto' for the best device present, or 'cpu'")


def use(scene: bpy.types.Scene, device: Device) -> None:
    """Render `scene` on `device` (after each scene reset; the preferences persist)."""
    if device.backend == "CPU":
        scene.cycles.device = "CPU"
        return
    prefs = compat.cycles_preferences()
    if prefs.compute_device_type != device.backend or not any(d.use and d.type == device.backend
                                                               for d in prefs.devices):
        if not _enable(device.backend):
            raise RuntimeError(f"{NAMES[device.backend]} devices are no longer available")
    scene.cycles.device = "GPU"
